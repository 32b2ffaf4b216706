"""A partner's ``[envelope]``: the delimiters (and EDIFACT decimal mark) we write to it with.

The profile checks it like every other table (file, line, key, fix); ``translate --outbound``
writes with it; our acks to the partner use it; without it, acks mirror the interchange they
answer. AlpenMed's decimal comma goes out at serialization and reads back as the same Decimal.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest

from gateway.edi.check import Counter, check
from gateway.edi.delimiters import EdifactDelimiters, Number, X12Delimiters
from gateway.edi.edifact.writer import Element, serialize
from gateway.edi.envelopes import Address
from gateway.edi.results import Status
from gateway.edi.transactions import iter_transactions
from gateway.mapping import load_map, translate_transaction
from gateway.mapping.service import Envelope, render_interchange
from gateway.partners import load_partners
from gateway.partners.profile import Problem, read_profile, render_profile
from gateway.partners.registry import PartnerDirectory, ack_policy

from .conftest import ROOT

PARTNERS = ROOT / "partners"

X12 = """\
[partner]
name = "acme"
usage = "test"

[[ids]]
standard = "x12"
qualifier = "ZZ"
id = "ACME"

[envelope]
{envelope}
"""

EDIFACT = X12.replace('standard = "x12"\nqualifier = "ZZ"', 'standard = "edifact"\nqualifier = "14"')


def problems_of(tmp_path: Path, template: str, envelope: str) -> list[Problem]:
    path = tmp_path / "acme" / "partner.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(template.replace("{envelope}", envelope), encoding="utf-8")
    profile, problems = read_profile(path, folder_name="acme")
    assert profile is None
    return problems


# -- the profile -------------------------------------------------------------------------------


def test_a_bad_envelope_names_file_line_key_and_fix(tmp_path: Path) -> None:
    [p] = problems_of(tmp_path, X12, 'element = "*"\nsegment = "~"\ncomponent = "*"')
    assert (p.code, p.file, p.line, p.key) == (
        "profile.envelope",
        str(tmp_path / "acme/partner.toml"),
        13,
        "envelope.component",
    )
    assert p.message == "envelope.component: element and component are both '*'"
    assert p.fix == 'choose a character no other separator uses, such as component = "+"'


@pytest.mark.parametrize(
    ("template", "envelope", "line", "key", "message", "fix"),
    [
        (X12, 'element = "A"', 11, "envelope.element", "'A' is a letter, digit or space, which data values hold",
         'choose a character that never appears in the data, such as element = "*"'),
        (X12, 'segment = " "', 11, "envelope.segment", "' ' is a letter, digit or space, which data values hold",
         'choose a character that never appears in the data, such as segment = "~"'),
        (X12, 'component = "::"', 11, "envelope.component", "'::' is not one character",
         'write a single character, such as component = ">"'),
        (X12, 'release = "?"', 11, "envelope.release", "release is not an X12 setting",
         "remove it (X12 has no release character)"),
        (X12, 'suffix = " "', 11, "envelope.suffix", "' ' is not what may follow a segment terminator",
         'write suffix = "\\n" (a line break), suffix = "\\r\\n" or suffix = "" (nothing)'),
        (EDIFACT, 'decimal = ";"', 11, "envelope.decimal", "';' is not a decimal mark",
         'write decimal = "." or decimal = ","'),
        (EDIFACT, 'component = ","\ndecimal = ","', 12, "envelope.decimal", "component and decimal are both ','",
         'write decimal = ".", or choose another component'),
        (EDIFACT, 'repetition = "*"', 11, "envelope.repetition", "repetition is not an EDIFACT setting",
         "remove it (edigw writes EDIFACT syntax 3, which has no repetition separator)"),
        (EDIFACT, 'una = "yes"', 11, "envelope.una", "envelope.una is 'yes', not true or false",
         "write una = true or una = false, without quotes"),
        (EDIFACT, 'element = "|"\nuna = false', 12, "envelope.una",
         "una = false, but without a UNA the partner reads the syntax defaults + : ? ' instead of these",
         "write una = true, or use the default separators"),
        (EDIFACT, 'standard = "x12"', 11, "envelope.standard", "'x12' is not a standard the partner's [[ids]] name",
         'write standard = "edifact", or add an [[ids]] table with standard = "x12"'),
        (X12, 'delimiter = "*"', 11, "envelope.delimiter", "envelope.delimiter is not a setting edigw knows",
         "remove it or correct its spelling (known here: standard, element, component, repetition, release, "
         "segment, decimal, suffix, una)"),
    ],
)  # fmt: skip
def test_each_mistake_says_what_to_write(
    tmp_path: Path, template: str, envelope: str, line: int, key: str, message: str, fix: str
) -> None:
    [p] = problems_of(tmp_path, template, envelope)
    assert (p.line, p.key, p.fix) == (line, key, fix)
    assert p.message.removeprefix(f"{key}: ") == message


def test_two_standards_need_the_envelope_to_say_which(tmp_path: Path) -> None:
    both = X12.replace("[envelope]", '[[ids]]\nstandard = "edifact"\nid = "4012345000009"\n\n[envelope]')
    [p] = problems_of(tmp_path, both, 'element = "*"')
    assert (p.line, p.key) == (14, "envelope.standard")
    assert p.fix == 'write standard = "x12" or standard = "edifact" in [envelope]'
    path = tmp_path / "acme" / "partner.toml"
    path.write_text(both.replace("{envelope}", 'standard = "edifact"\ndecimal = ","'), encoding="utf-8")
    profile, problems = read_profile(path, folder_name="acme")
    assert profile is not None and problems == []
    assert profile.outbound_delimiters("x12") is None  # X12 to this partner: the defaults / the mirror
    assert profile.outbound_delimiters("edifact") == EdifactDelimiters(decimal=",", suffix="\n")


def test_keys_left_out_take_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "acme" / "partner.toml"
    path.parent.mkdir()
    path.write_text(X12.replace("{envelope}", 'segment = "!"\nsuffix = ""'), encoding="utf-8")
    profile, problems = read_profile(path, folder_name="acme")
    assert profile is not None and problems == []
    assert profile.outbound_delimiters("x12") == X12Delimiters("*", ">", "!", "^", "")
    assert profile.sends_una() is None


@pytest.mark.parametrize("standard", ["x12", "edifact"])
def test_the_skeletons_envelope_loads_once_uncommented(tmp_path: Path, standard: Literal["x12", "edifact"]) -> None:
    qualifier = "ZZ" if standard == "x12" else "14"
    functional: Literal["997", "none"] = "997" if standard == "x12" else "none"
    text = render_profile(
        name="acme", display_name="Acme", standard=standard, qualifier=qualifier, id="ACME", functional=functional
    )
    head, _, rest = text.partition("# [envelope]\n")
    table, _, tail = rest.partition("\n\n")
    assert table.count("\n# ") == len(table.splitlines()) - 1  # every key commented out
    path = tmp_path / "acme" / "partner.toml"
    path.parent.mkdir()
    uncommented = "\n".join(line.removeprefix("# ") for line in table.splitlines())
    path.write_text(f"{head}[envelope]\n{uncommented}\n\n{tail}", encoding="utf-8")
    profile, problems = read_profile(path, folder_name="acme")
    assert profile is not None and problems == []
    expected = X12Delimiters("*", ">", "~", "^", "\n") if standard == "x12" else EdifactDelimiters(suffix="\n")
    assert profile.outbound_delimiters(standard) == expected


def test_the_example_partners_state_what_their_samples_show() -> None:
    registry = load_partners(PARTNERS)
    alpenmed, meridian = registry.get("alpenmed"), registry.get("meridian")
    assert alpenmed is not None and meridian is not None
    assert alpenmed.profile.outbound_delimiters("edifact") == EdifactDelimiters.from_una("UNA:+,? '", "\n")
    assert alpenmed.profile.sends_una() is True
    assert meridian.profile.outbound_delimiters("x12") == X12Delimiters("*", ">", "~", "^", "\n")


# -- numbers at serialization ------------------------------------------------------------------


def test_a_number_takes_the_decimal_mark_of_the_delimiters() -> None:
    segs: list[list[Element]] = [["QTY", ("21", Number("12.5"), "PCE")], ["FTX", "AAI", "", "", "12.5 MM"]]
    comma = EdifactDelimiters(decimal=",")
    assert serialize(segs, comma, una=False) == "QTY+21:12,5:PCE'FTX+AAI+++12.5 MM'"  # text is text
    assert serialize(segs, EdifactDelimiters(), una=False) == "QTY+21:12.5:PCE'FTX+AAI+++12.5 MM'"


def test_alpenmed_round_trip_keeps_the_document(now: datetime) -> None:
    """Inbound sample → document → outbound with AlpenMed's profile → re-read → the same document."""
    partner = load_partners(PARTNERS).get("alpenmed")
    assert partner is not None
    m = load_map(ROOT / "maps" / "base" / "edifact" / "ORDERS" / "D96A.toml")
    [tx] = list(iter_transactions((partner.folder / "samples" / "orders-d96a.edi").read_bytes()))
    first = translate_transaction(tx, m, partner="alpenmed")
    assert first.document is not None
    assert [line.unit_price for line in first.document.lines] == [Decimal("4.85"), Decimal("118.40")]
    d = partner.profile.outbound_delimiters("edifact")
    assert d is not None
    envelope = Envelope(
        Address("14", "5412345000013"), Address("14", "4012345000009"), d, una=partner.profile.sends_una()
    )
    data = render_interchange(first.document, m, envelope, now=now)
    text = data.decode()
    assert text.startswith("UNA:+,? '\n")
    assert "PRI+AAA:4,85'\n" in text and "PRI+AAA:118,4'\n" in text and "QTY+21:40:PCE'\n" in text
    [checked] = list(check(data, numbers=Counter(), now=now))
    assert checked.result.status is Status.ACCEPTED
    [again_tx] = list(iter_transactions(data))
    again = translate_transaction(again_tx, m, partner="alpenmed")
    assert again.document is not None
    assert again.document.model_dump(exclude={"provenance"}) == first.document.model_dump(exclude={"provenance"})


# -- acks --------------------------------------------------------------------------------------


def partners_with(tmp_path: Path, name: str, envelope: str | None) -> Path:
    """A copy of the example partners where ``name``'s [envelope] is ``envelope`` (None: none at all)."""
    root = tmp_path / "partners"
    shutil.copytree(PARTNERS, root)
    path = root / name / "partner.toml"
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("[envelope]\n")
    rest = rest[rest.index("\n\n") :]  # the example's keys, up to the blank line that ends the table
    path.write_text(head + (f"[envelope]\n{envelope}\n" if envelope is not None else "") + rest, encoding="utf-8")
    return root


def test_acks_to_meridian_use_its_envelope(tmp_path: Path, now: datetime) -> None:
    root = partners_with(tmp_path, "meridian", 'element = "|"\ncomponent = "}"\nsegment = "!"\nsuffix = ""')
    directory = PartnerDirectory(load_partners(root))
    sample = (root / "meridian" / "samples" / "810-invoice.edi").read_bytes()
    [c] = list(check(sample, numbers=Counter(), now=now, directory=directory))
    [ack] = c.acks
    assert ack.kind == "997"
    text = ack.payload.decode()
    assert text.startswith("ISA|00|")
    assert text[103:106] == "|}!"  # ISA16 and the terminator
    assert "\n" not in text and "ST|997|0001!" in text


def test_without_an_envelope_acks_mirror_the_interchange(tmp_path: Path, now: datetime) -> None:
    root = partners_with(tmp_path, "meridian", None)
    partner = load_partners(root).get("meridian")
    assert partner is not None and partner.profile.envelope is None
    assert ack_policy(partner).x12_delimiters is None
    sample = (root / "meridian" / "samples" / "810-invoice.edi").read_bytes()
    [c] = list(check(sample, numbers=Counter(), now=now, directory=PartnerDirectory(load_partners(root))))
    assert c.acks[0].payload.decode().startswith("ISA*00*")


def test_a_contrl_to_alpenmed_uses_its_envelope(tmp_path: Path, now: datetime) -> None:
    root = partners_with(tmp_path, "alpenmed", 'element = "*"\nsegment = "!"\ndecimal = ","\nsuffix = ""\nuna = true')
    directory = PartnerDirectory(load_partners(root))
    sample = (root / "alpenmed" / "samples" / "desadv-d96a.edi").read_bytes()
    [c] = list(check(sample, numbers=Counter(), now=now, directory=directory))
    [ack] = c.acks
    assert ack.kind == "CONTRL"  # AlpenMed's profile: contrl = "always"
    text = ack.payload.decode()
    assert text.startswith("UNA:*,? !UNB*UNOC:3*5412345000013:14*4012345000009:14*")
    assert "UNH*1*CONTRL:D:3:UN!" in text
