"""The partner layer: profiles, secrets, crosswalks and the registry, as the pipeline will use them."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

import gateway.partners
from gateway.documents import ItemId
from gateway.edi.check import AckPolicy
from gateway.partners import (
    NewPartner,
    PartnersError,
    SecretError,
    SecretRef,
    ack_policy,
    check_partner,
    create_partner,
    load_crosswalks,
    load_partner,
    load_partners,
    read_profile,
    read_secret,
)
from gateway.partners import registry as registry_module
from gateway.partners.profile import Problem, key_lines, render_profile

PROFILE = """\
[partner]
name = "meridian"
display_name = "Meridian Medical Supply"
usage = "production"
odoo_vendor_ref = "V10442"

[[ids]]
standard = "x12"
qualifier = "ZZ"
id = "MERIDIANMED"
gs_id = "MERIDIANMED"

[[ids]]
standard = "edifact"
qualifier = "14"
id = "5412345000013"

[documents]
inbound = { "850" = "maps/850-004010.toml", "855" = "base:x12/855/004010" }
outbound = { "997" = "" }

[acks]
functional = "999"
ta1 = "errors"
contrl = "always"
expect_within_hours = 12

[transport]
kind = "folder"

[secrets]
{secrets}
"""

SELF = """\
name = "us"

[[ids]]
standard = "x12"
qualifier = "ZZ"
id = "STMARYCENTRAL"

[[ids]]
standard = "edifact"
id = "STMARY"
"""


def write_partner(root: Path, name: str = "meridian", text: str | None = None, secrets: str = "") -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    body = PROFILE.replace("{secrets}", secrets) if text is None else text
    (folder / "partner.toml").write_text(body.replace('name = "meridian"', f'name = "{name}"'), encoding="utf-8")
    return folder


def write_csv(folder: Path, name: str, text: str) -> Path:
    path = folder / "crosswalks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A partners folder at ``partners`` (relative, as the CLI's default), with our own ids."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "partners").mkdir()
    (tmp_path / "partners" / "_self.toml").write_text(SELF, encoding="utf-8")
    return Path("partners")


def test_public_surface_is_pinned() -> None:
    assert sorted(gateway.partners.__all__) == [
        "CheckReport",
        "Crosswalks",
        "ItemMatch",
        "MapRef",
        "NewPartner",
        "Partner",
        "PartnerId",
        "PartnersError",
        "PartyMatch",
        "Problem",
        "Profile",
        "Registry",
        "SecretError",
        "SecretRef",
        "UomMatch",
        "Us",
        "ack_policy",
        "check_maps",
        "check_partner",
        "check_secrets",
        "create_partner",
        "load_crosswalks",
        "load_partner",
        "load_partners",
        "read_profile",
        "read_secret",
        "render_profile",
    ]


# --- profiles ---------------------------------------------------------------------------------


def test_a_full_profile_reads_back_every_setting(root: Path) -> None:
    folder = write_partner(root)
    profile, problems = read_profile(folder / "partner.toml", folder_name="meridian")
    assert problems == []
    assert profile is not None
    assert profile.partner.display_name == "Meridian Medical Supply"
    assert profile.partner.odoo_vendor_ref == "V10442"
    assert [str(i) for i in profile.ids] == ["x12:ZZ:MERIDIANMED", "edifact:14:5412345000013"]
    assert profile.documents.inbound == {"850": "maps/850-004010.toml", "855": "base:x12/855/004010"}
    ref = profile.map_ref("inbound", "855")
    assert ref is not None and ref.base == "x12/855/004010"
    assert ref.location(folder, Path("maps")) == Path("maps/base/x12/855/004010.toml")
    assert profile.map_ref("outbound", "997") is not None
    assert profile.map_ref("inbound", "810") is None
    assert (profile.acks.functional, profile.acks.ta1, profile.acks.contrl) == ("999", "errors", "always")
    assert profile.acks.expect_within_hours == 12


def test_render_profile_round_trips_through_the_reader(tmp_path: Path) -> None:
    text = render_profile(
        name="acme-eu",
        display_name='ACME "Europe" \\ Medical',
        standard="edifact",
        qualifier="14",
        id="4012345000009",
        functional="none",
        usage="production",
    )
    path = tmp_path / "acme-eu" / "partner.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    profile, problems = read_profile(path, folder_name="acme-eu")
    assert problems == []
    assert profile is not None
    assert profile.partner.display_name == 'ACME "Europe" \\ Medical'
    assert profile.partner.usage == "production"
    assert [(i.standard, i.qualifier, i.id, i.gs_id) for i in profile.ids] == [("edifact", "14", "4012345000009", "")]
    assert profile.acks.functional == "none"
    assert profile.documents.outbound == {}


def test_every_mistake_is_reported_at_once_with_file_line_and_fix(root: Path) -> None:
    text = PROFILE.replace("{secrets}", "").replace('usage = "production"', 'usage = "prod"')
    text = text.replace('qualifier = "ZZ"', 'qualifier = "ZZZ"').replace(
        "expect_within_hours = 12", "expect_within = 12"
    )
    folder = write_partner(root, text=text)
    profile, problems = read_profile(folder / "partner.toml", folder_name="meridian")
    assert profile is None
    assert [str(p) for p in problems] == [
        "partners/meridian/partner.toml line 4: partner.usage is 'prod', which is not one of \"production\" or "
        '"test"; write one of "production" or "test"',
        "partners/meridian/partner.toml line 9: ids[0].qualifier: 'ZZZ' is not an X12 ISA05 qualifier; write the "
        'two-character code the partner uses, such as "ZZ", "01" or "12"',
        "partners/meridian/partner.toml line 26: acks.expect_within is not a setting edigw knows; remove it or correct "
        "its spelling (known here: functional, ta1, contrl, expect_within_hours)",
    ]
    assert [(p.line, p.key) for p in problems] == [
        (4, "partner.usage"),
        (9, "ids[0].qualifier"),
        (26, "acks.expect_within"),
    ]


def test_the_name_must_be_the_folder_name(root: Path) -> None:
    folder = write_partner(root, "meridian")
    profile, problems = read_profile(folder / "partner.toml", folder_name="meridian-test")
    assert profile is None
    assert [p.code for p in problems] == ["profile.name_mismatch"]
    assert problems[0].line == 2
    assert problems[0].fix == 'write name = "meridian-test", or rename the folder to meridian'


def test_missing_tables_and_keys_say_what_to_write(tmp_path: Path) -> None:
    path = tmp_path / "x" / "partner.toml"
    path.parent.mkdir()
    path.write_text('[partner]\nname = "x"\n', encoding="utf-8")
    _, problems = read_profile(path, folder_name="x")
    assert [(p.key, p.line, p.message, p.fix) for p in problems] == [
        (
            "partner.usage",
            1,
            "partner.usage is missing",
            'write usage = "production" or usage = "test" under [partner]',
        ),
        (
            "ids",
            None,
            "the [[ids]] table is missing",
            'add an [[ids]] table with standard = "x12", qualifier = "ZZ" and id = "<their ISA06>"',
        ),
    ]


def test_toml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x" / "partner.toml"
    path.parent.mkdir()
    path.write_text('[partner]\nname = "x"\nusage = test\n', encoding="utf-8")
    _, problems = read_profile(path, folder_name="x")
    assert len(problems) == 1
    assert problems[0].code == "profile.toml"
    assert problems[0].line == 3
    assert str(problems[0]).startswith(f"{path} line 3: this is not valid TOML (invalid value)")


def test_map_references_are_checked_for_shape(root: Path) -> None:
    text = PROFILE.replace("{secrets}", "").replace(
        'inbound = { "850" = "maps/850-004010.toml", "855" = "base:x12/855/004010" }',
        'inbound = { "850" = "../other/850.toml", "855" = "base:x12/855", "ORDER" = "maps/o.toml" }',
    )
    folder = write_partner(root, text=text)
    _, problems = read_profile(folder / "partner.toml", folder_name="meridian")
    assert [(p.key, p.code, p.line) for p in problems] == [
        ('documents.inbound."850"', "profile.invalid", 19),
        ('documents.inbound."855"', "profile.invalid", 19),
        ("documents.inbound.ORDER", "profile.invalid", 19),
    ]
    assert (
        problems[0].message == "documents.inbound.\"850\": '../other/850.toml' is not a path inside the partner folder"
    )
    assert problems[2].fix.startswith('use an X12 set id such as "850" or an EDIFACT message type such as "ORDERS"')


def test_only_acknowledgements_go_without_a_map(root: Path) -> None:
    text = PROFILE.replace("{secrets}", "").replace('"855" = "base:x12/855/004010"', '"856/004010" = "", "997" = ""')
    folder = write_partner(root, text=text)
    _, problems = read_profile(folder / "partner.toml", folder_name="meridian")
    assert [str(p) for p in problems] == [
        'partners/meridian/partner.toml line 19: documents.inbound."856/004010": 856/004010 names no map (only '
        'acknowledgements are built without one); write a map path such as "maps/856-004010.toml" or a base map '
        'such as "base:<standard>/856/004010"'
    ]


def test_key_lines_follow_arrays_of_tables_and_inline_tables() -> None:
    lines = key_lines(PROFILE)
    assert lines[("ids", 0)] == 7
    assert lines[("ids", 1, "id")] == 16
    assert lines[("documents", "inbound", "855")] == 19
    assert lines[("acks", "ta1")] == 24


# --- secrets ----------------------------------------------------------------------------------


def test_an_inline_secret_is_refused_and_never_echoed(root: Path) -> None:
    folder = write_partner(root, secrets='as2_password = "hunter2"')
    text = (folder / "partner.toml").read_text().replace('kind = "folder"', 'kind = "folder"\napi_token = "tok-123"')
    (folder / "partner.toml").write_text(text)
    profile, problems = read_profile(folder / "partner.toml", folder_name="meridian")
    assert profile is None
    assert [(p.code, p.key, p.line) for p in problems] == [
        ("profile.inline_secret", "transport.api_token", 30),
        ("profile.inline_secret", "secrets.as2_password", 33),
    ]
    assert problems[1].fix.startswith("never write a secret in the profile: move it to [secrets] as a reference")
    assert 'as2_password = { env = "EDIGW_AS2_PASSWORD" }' in problems[1].fix
    assert all("hunter2" not in str(p) and "tok-123" not in str(p) for p in problems)


def test_a_file_secret_readable_by_others_is_refused(root: Path) -> None:
    key = Path("key.pem").resolve()
    key.write_bytes(b"-----BEGIN PRIVATE KEY-----\n")
    key.chmod(0o644)
    folder = write_partner(root, secrets=f'as2_private_key = {{ file = "{key}" }}')
    partner, problems = load_partner(folder)
    assert partner is not None and problems == []
    found = gateway.partners.check_secrets(
        partner.profile.secrets, folder=folder, profile_file=partner.profile_file, environ={}
    )
    assert [str(p) for p in found] == [
        f"partners/meridian/partner.toml line 32: secrets.as2_private_key: the file {key} has mode 0644, so others "
        f"than its owner can read it; run chmod 600 {key}"
    ]
    ref = partner.profile.secrets["as2_private_key"]
    with pytest.raises(SecretError, match="chmod 600"):
        read_secret(ref, folder=folder)
    key.chmod(0o600)
    assert (
        gateway.partners.check_secrets(partner.profile.secrets, folder=folder, profile_file=partner.profile_file) == []
    )
    assert read_secret(ref, folder=folder) == b"-----BEGIN PRIVATE KEY-----\n"


def test_secret_references_env_and_relative_files(root: Path) -> None:
    folder = write_partner(
        root,
        secrets='sftp_password = { env = "MERIDIAN_SFTP" }\nas2_key = { file = "keys/missing.pem" }',
    )
    partner, _ = load_partner(folder)
    assert partner is not None
    found = gateway.partners.check_secrets(
        partner.profile.secrets, folder=folder, profile_file=partner.profile_file, environ={}
    )
    assert [(p.code, p.severity, p.line) for p in found] == [
        ("secret.env_unset", "warning", 32),
        ("secret.file_missing", "error", 33),
    ]
    assert found[1].message == f"secrets.as2_key: the file {folder / 'keys/missing.pem'} does not exist"
    ref = partner.profile.secrets["sftp_password"]
    assert str(ref) == "env:MERIDIAN_SFTP"
    assert read_secret(ref, folder=folder, environ={"MERIDIAN_SFTP": "pw"}) == b"pw"
    with pytest.raises(SecretError, match="MERIDIAN_SFTP is not set"):
        read_secret(ref, folder=folder, environ={})


def test_a_secret_reference_needs_one_source(root: Path) -> None:
    folder = write_partner(root, secrets='x = { env = "A", file = "b" }\ny = { value = "abc" }')
    _, problems = read_profile(folder / "partner.toml", folder_name="meridian")
    assert [(p.key, p.line) for p in problems] == [("secrets.x", 32), ("secrets.y.value", 33)]
    assert problems[0].fix == 'write { env = "VARIABLE" } or { file = "/path/to/file" }'
    assert "abc" not in str(problems[1])
    assert SecretRef(env="A").env == "A"


# --- crosswalks -------------------------------------------------------------------------------


def test_crosswalk_errors_are_collected_with_line_column_and_fix(root: Path) -> None:
    folder = write_partner(root)
    write_csv(
        folder,
        "items.csv",
        "vendor_sku,gtin,product_code,description\n"
        "MM-100,00012345678905,GLOVE-M,Nitrile gloves M\n"
        "MM-100,,GLOVE-L,Nitrile gloves L\n"
        "MM-200,,,Syringe 5 ml\n"
        ",,GAUZE,Gauze\n",
    )
    write_csv(folder, "uom.csv", "code,uom,factor\nCA,BX,10\nEA,EA,1\nBX,EA,ten\nPK,EA,0\n")
    write_csv(folder, "parties.csv", "qualifier,id,kind,our_ref\n92,DC01,warehouse,WH/Stock\n")
    _, problems = load_crosswalks(folder / "crosswalks")
    cw = "partners/meridian/crosswalks"
    assert [str(p) for p in problems] == [
        f"{cw}/items.csv line 3: vendor_sku 'MM-100' is already on line 2; keep one row for it "
        "(a duplicate is left out of the lookups until then)",
        f"{cw}/items.csv line 4: product_code is empty; write our product's code (its internal reference in Odoo)",
        f"{cw}/items.csv line 5: neither vendor_sku nor gtin is set; write the partner's SKU, the GTIN, or both",
        f"{cw}/uom.csv line 4: factor 'ten' is not a number; write a decimal such as 10 or 0.5",
        f"{cw}/uom.csv line 5: factor '0' is not above zero; write a positive decimal such as 10 or 0.5",
        f"{cw}/parties.csv line 2: kind 'warehouse' is not one of vendor, location, buyer; "
        "write vendor, location or buyer",
    ]
    assert [p.key for p in problems] == ["vendor_sku", "product_code", "vendor_sku", "factor", "factor", "kind"]


def test_a_wrong_header_or_row_length_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "crosswalks"
    folder.mkdir()
    (folder / "items.csv").write_text("sku,gtin,product_code,description\nA,,B,C\n")
    (folder / "uom.csv").write_text("code,uom,factor\nCA,BX\n")
    _, problems = load_crosswalks(folder)
    assert [(p.code, p.line, p.message) for p in problems] == [
        ("crosswalk.header", 1, "the header misses vendor_sku and has unknown column 'sku'"),
        ("crosswalk.row", 2, "the row has 2 values but the header names 3 columns"),
    ]
    assert problems[0].fix == "write the header vendor_sku,gtin,product_code,description"


def test_crosswalk_lookups(tmp_path: Path) -> None:
    folder = tmp_path / "crosswalks"
    write_csv(
        tmp_path,
        "items.csv",
        "vendor_sku,gtin,product_code,description\n"
        "MM-100,00012345678905,GLOVE-M,Nitrile gloves M\n"
        "MM-200,,SYR-5,Syringe 5 ml\n"
        ",4006381333931,PEN,Pen\n"
        "DUP,,A,\nDUP,,B,\n",
    )
    write_csv(tmp_path, "uom.csv", "code,uom,factor\nCA,BX,10\nHF,EA,0.5\n")
    write_csv(
        tmp_path, "parties.csv", "qualifier,id,kind,our_ref\n92,DC01,location,WH/Stock\n,MERIDIAN,vendor,V10442\n"
    )
    cw, problems = load_crosswalks(folder)
    assert [p.code for p in problems] == ["crosswalk.duplicate"]
    assert cw.counts == {"items": 5, "uom": 2, "parties": 2}

    sku = ItemId(kind="vendor_sku", value=" MM-100 ")
    upc = ItemId(kind="upc", value="012345678905")
    match = cw.item_for([upc, sku])
    assert match is not None and (match.product_code, match.matched_by, match.value) == (
        "GLOVE-M",
        "vendor_sku",
        "MM-100",
    )
    match = cw.item_for([ItemId(kind="vendor_sku", value="unknown"), upc])
    assert match is not None and (match.product_code, match.matched_by) == ("GLOVE-M", "gtin")
    match = cw.item_for([ItemId(kind="ean", value="4006381333931")])
    assert match is not None and match.product_code == "PEN"
    assert cw.item_for([ItemId(kind="buyer_item", value="MM-200")]) is None
    assert cw.item_for([ItemId(kind="vendor_sku", value="DUP")]) is None  # ambiguous: left for review

    uom = cw.uom_for("CA")
    assert uom is not None and (uom.uom, uom.factor) == ("BX", Decimal("10"))
    assert uom.to_ours(Decimal("3")) == Decimal("30")
    half = cw.uom_for("HF")
    assert half is not None and half.factor == Decimal("0.5")
    assert cw.uom_for("PL") is None

    party = cw.party_for("92", "DC01")
    assert party is not None and (party.kind, party.our_ref) == ("location", "WH/Stock")
    assert cw.party_for("91", "DC01") is None
    vendor = cw.party_for("ZZ", "MERIDIAN")  # an empty qualifier matches any
    assert vendor is not None and vendor.our_ref == "V10442"


def test_missing_crosswalk_files_are_empty(tmp_path: Path) -> None:
    cw, problems = load_crosswalks(tmp_path / "nothing")
    assert problems == []
    assert cw.counts == {"items": 0, "uom": 0, "parties": 0}
    assert cw.item_for([ItemId(kind="vendor_sku", value="X")]) is None


# --- the registry -----------------------------------------------------------------------------


def test_find_by_envelope_compares_trimmed_ids(root: Path) -> None:
    write_partner(root, "meridian")
    registry = load_partners(root)
    assert registry.problems == []
    assert len(registry) == 1 and "meridian" in registry
    found = registry.find_by_envelope("x12", "ZZ", "MERIDIANMED    ")
    assert found is not None and found.name == "meridian"
    assert registry.find_by_envelope("X12", " ZZ", "MERIDIANMED") is found
    assert registry.find_by_envelope("x12", "01", "MERIDIANMED") is None
    assert registry.find_by_envelope("x12", "ZZ", "MERIDIAN") is None
    # EDIFACT: the qualifier is optional on either side
    assert registry.find_by_envelope("edifact", None, "5412345000013 ") is found
    assert registry.find_by_envelope("edifact", "14", "5412345000013") is found
    assert registry.find_by_envelope("edifact", "ZZZ", "5412345000013") is None


def test_our_own_ids(root: Path) -> None:
    registry = load_partners(root)
    assert registry.us.name == "us"
    assert registry.is_addressed_to_us("x12", "ZZ", "STMARYCENTRAL  ")
    assert not registry.is_addressed_to_us("x12", "ZZ", "STMARYEPROC")
    assert registry.is_addressed_to_us("edifact", "14", "STMARY")
    (root / "_self.toml").unlink()
    registry = load_partners(root)
    assert not registry.is_addressed_to_us("x12", "ZZ", "STMARYCENTRAL")
    assert [(p.code, p.severity) for p in registry.problems] == [("registry.self_missing", "warning")]


def test_an_id_claimed_by_two_partners_matches_neither(root: Path) -> None:
    write_partner(root, "meridian")
    write_partner(root, "meridian-old")
    registry = load_partners(root)
    assert registry.find_by_envelope("x12", "ZZ", "MERIDIANMED") is None
    conflicts = [p for p in registry.problems_for("meridian") if p.code == "registry.id_conflict"]
    assert str(conflicts[0]) == (
        "partners/meridian/partner.toml line 7: ids[0] x12:ZZ:MERIDIANMED is also claimed by partner 'meridian-old' "
        "(partners/meridian-old/partner.toml); an envelope id must belong to one partner: remove it from one of them "
        "(until then, envelopes with it are not matched to any partner)"
    )


def test_broken_partners_are_left_out_but_reported(root: Path) -> None:
    write_partner(root, "meridian")
    write_partner(root, "acme", text=PROFILE.replace("{secrets}", "").replace('"production"', '"prod"'))
    (root / "_templates").mkdir()
    (root / "notes").mkdir()
    registry = load_partners(root)
    assert list(registry.partners) == ["meridian"]
    assert registry.broken == ("acme",)
    assert [p.code for p in registry.problems_for("acme")] == ["profile.invalid"]
    assert [p.code for p in registry.problems_for("notes")] == ["registry.not_a_partner"]
    assert registry.problems_for("_templates") == []


def test_a_missing_partners_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PartnersError, match="there is no partners folder"):
        load_partners(tmp_path / "nope")


def test_ack_policy_follows_the_profile(root: Path) -> None:
    write_partner(root)
    partner = load_partners(root).get("meridian")
    assert ack_policy(partner) == AckPolicy(functional="999", ta1="errors", contrl="always")
    assert ack_policy(None) == AckPolicy()


def test_create_partner_writes_a_profile_that_loads(root: Path) -> None:
    new = NewPartner(name="acme", display_name="ACME", standard="x12", qualifier="01", id="123456789", gs_id="ACMEGS")
    written = create_partner(root, new)
    assert [str(p) for p in written] == [
        "partners/acme/partner.toml",
        "partners/acme/crosswalks/items.csv",
        "partners/acme/crosswalks/uom.csv",
        "partners/acme/crosswalks/parties.csv",
    ]
    assert (root / "acme/crosswalks/uom.csv").read_text() == "code,uom,factor\n"
    partner, problems = load_partner(root / "acme")
    assert problems == []
    assert partner is not None
    assert [(i.qualifier, i.id, i.gs_id) for i in partner.ids] == [("01", "123456789", "ACMEGS")]
    assert partner.profile.partner.usage == "test"
    assert partner.profile.documents.outbound == {"997": ""}
    with pytest.raises(PartnersError, match="already exists"):
        create_partner(root, new)
    with pytest.raises(PartnersError, match="not a valid partner name"):
        create_partner(root, NewPartner("_x", "", "x12", "ZZ", "X"))


def test_check_partner_looks_at_maps_secrets_and_hooks(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_partner(root, secrets='sftp_password = { env = "EDIGW_TEST_UNSET_VAR" }')
    base = Path("maps/base/x12/855/004010.toml")
    base.parent.mkdir(parents=True)
    base.write_text("[map]\n")
    report = check_partner(root, "meridian", environ={})
    assert [(p.code, p.severity) for p in report.problems] == [
        ("secret.env_unset", "warning"),
        ("map.missing", "error"),
    ]
    assert str(report.problems[1]) == (
        'partners/meridian/partner.toml line 19: documents.inbound."850" names maps/850-004010.toml, which does not '
        "exist (partners/meridian/maps/850-004010.toml); create it with edigw maps new --partner meridian "
        "--from x12/850/004010, or correct the path"
    )
    assert report.facts["certificates"] == "no certificates configured"
    assert report.facts["secrets"] == "sftp_password = env:EDIGW_TEST_UNSET_VAR"
    assert not report.ok

    (folder / "maps").mkdir()
    (folder / "maps" / "850-004010.toml").write_text("[map]\n")
    seen = []

    def fake_check_maps(partner: registry_module.Partner, maps_root: Path | None = None) -> list[Problem]:
        seen.append(partner.name)
        return [Problem("map.invalid", "x.toml", "a rule is wrong", "fix it")]

    monkeypatch.setattr(registry_module, "check_maps", fake_check_maps)
    report = check_partner(root, "meridian", environ={"EDIGW_TEST_UNSET_VAR": "1"})
    assert seen == ["meridian"]
    assert [p.code for p in report.problems] == ["map.invalid"]
    with pytest.raises(PartnersError, match="there is no partner 'nobody'"):
        check_partner(root, "nobody")


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_check_partner_reports_a_loose_key_file(root: Path) -> None:
    key = Path("partners/meridian/keys/as2.pem")
    write_partner(root, secrets='as2_private_key = { file = "keys/as2.pem" }')
    key.parent.mkdir()
    key.write_text("k")
    key.chmod(0o640)
    (root / "meridian/maps").mkdir()
    (root / "meridian/maps/850-004010.toml").write_text('[map]\nextends = "x12/855/004010"\n')
    Path("maps/base/x12/855").mkdir(parents=True)
    real = Path(__file__).resolve().parent.parent / "maps" / "base" / "x12" / "855" / "004010.toml"
    Path("maps/base/x12/855/004010.toml").write_text(real.read_text())
    report = check_partner(root, "meridian")
    assert [p.code for p in report.problems] == ["secret.file_mode"]
    assert report.problems[0].fix == "run chmod 600 partners/meridian/keys/as2.pem"
