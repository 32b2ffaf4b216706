"""``edigw partners`` as a user runs it: exact output and exit codes, JSON for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gateway.cli import partners as partners_cli
from gateway.cli.main import cli
from gateway.partners import load_partner

from .test_partners import SELF, write_csv, write_partner

ADD = ["partners", "add", "meridian", "--no-input", "--display-name", "Meridian Medical Supply", "--id", "MERIDIANMED"]


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), input=input, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder; the partners folder is ``partners`` in it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EDIGW_PARTNERS", raising=False)
    monkeypatch.delenv("EDIGW_MAPS", raising=False)
    return tmp_path


def with_self(here: Path) -> Path:
    root = here / "partners"
    root.mkdir(exist_ok=True)
    (root / "_self.toml").write_text(SELF, encoding="utf-8")
    return Path("partners")


# --- add --------------------------------------------------------------------------------------


def test_add_writes_a_profile_that_reads_back(here: Path) -> None:
    result = run(*ADD, "--gs-id", "MERIDIANGS", "--ack", "999", "--usage", "production")
    assert result.exit_code == 0
    assert result.output == (
        "Created partner meridian in partners/meridian:\n"
        "  partners/meridian/partner.toml\n"
        "  partners/meridian/crosswalks/items.csv\n"
        "  partners/meridian/crosswalks/uom.csv\n"
        "  partners/meridian/crosswalks/parties.csv\n"
        "Next steps:\n"
        "  1. write a map for each document meridian sends: edigw maps new --partner meridian --from x12/850/004010\n"
        "  2. fill the crosswalks in partners/meridian/crosswalks (items, units of measure, parties)\n"
        "  3. create partners/_self.toml with our own identifiers ([[ids]] standard, qualifier, id)\n"
        "  4. check the partner: edigw partners check meridian\n"
    )
    partner, problems = load_partner(Path("partners/meridian"))
    assert problems == []
    assert partner is not None
    p = partner.profile
    assert (p.partner.name, p.partner.display_name, p.partner.usage) == (
        "meridian",
        "Meridian Medical Supply",
        "production",
    )
    assert [(i.standard, i.qualifier, i.id, i.gs_id) for i in p.ids] == [("x12", "ZZ", "MERIDIANMED", "MERIDIANGS")]
    assert p.acks.functional == "999"
    assert p.documents.outbound == {"999": ""}
    assert Path("partners/meridian/crosswalks/items.csv").read_text() == "vendor_sku,gtin,product_code,description\n"
    text = Path("partners/meridian/partner.toml").read_text()
    assert 'usage = "production"                    # production | test\n' in text


def test_add_edifact_defaults_and_json(here: Path) -> None:
    with_self(here)
    result = run("partners", "add", "acme-eu", "--standard", "edifact", "--id", "4012345000009", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "partner": "acme-eu",
        "folder": "partners/acme-eu",
        "files": [
            "partners/acme-eu/partner.toml",
            "partners/acme-eu/crosswalks/items.csv",
            "partners/acme-eu/crosswalks/uom.csv",
            "partners/acme-eu/crosswalks/parties.csv",
        ],
        "next_steps": [
            "edigw maps new --partner acme-eu --from edifact/ORDERS/D96A",
            "edigw partners check acme-eu",
        ],
        "notes": ["fill the crosswalks in partners/acme-eu/crosswalks (items, units of measure, parties)"],
    }
    partner, _ = load_partner(Path("partners/acme-eu"))
    assert partner is not None
    assert [(i.standard, i.qualifier) for i in partner.ids] == [("edifact", "")]
    assert partner.profile.acks.functional == "none"
    assert partner.profile.partner.usage == "test"
    assert partner.display_name == "acme-eu"


def test_add_asks_on_a_terminal(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(partners_cli, "_interactive", lambda: True)
    answers = "\n".join(["Meridian Medical Supply", "x12", "ZZZ", "ZZ", "MERIDIANMED", "997", "test"]) + "\n"
    result = run("partners", "add", "meridian", input=answers)
    assert result.exit_code == 0, result.output
    assert "Qualifier (ISA05) [ZZ]: ZZZ\nError: 'ZZZ' is not an X12 ISA05 qualifier" in result.output
    assert "Created partner meridian in partners/meridian:" in result.output
    partner, problems = load_partner(Path("partners/meridian"))
    assert problems == []
    assert partner is not None
    assert str(partner.ids[0]) == "x12:ZZ:MERIDIANMED"
    assert partner.display_name == "Meridian Medical Supply"


def test_add_refuses_an_existing_partner(here: Path) -> None:
    assert run(*ADD).exit_code == 0
    before = Path("partners/meridian/partner.toml").read_text()
    result = run(*ADD)
    assert result.exit_code == 2
    assert result.output == (
        "Error: partner meridian already exists (partners/meridian/partner.toml); edit that file, "
        "then run edigw partners check meridian\n"
    )
    assert Path("partners/meridian/partner.toml").read_text() == before


def test_add_refuses_a_bad_name_and_bad_values(here: Path) -> None:
    result = run("partners", "add", "Meridian", "--no-input", "--id", "X")
    assert result.exit_code == 2
    assert result.output == (
        "Error: 'Meridian' is not a valid partner name; use lowercase letters, digits, - and _ "
        "(starting with a letter or digit), such as meridian or acme-eu\n"
    )
    result = run("partners", "add", "acme", "--no-input", "--qualifier", "ZZZ", "--id", "A" * 16)
    assert result.exit_code == 2
    assert result.output == (
        "Error: --qualifier: 'ZZZ' is not an X12 ISA05 qualifier; write the two-character code the partner uses, "
        'such as "ZZ", "01" or "12"\n'
        "--id: 'AAAAAAAAAAAAAAAA' is longer than 15 characters (ISA06); write the id as in ISA06\n"
    )
    assert not Path("partners/acme").exists()


def test_add_without_input_needs_an_id(here: Path) -> None:
    result = run("partners", "add", "meridian", "--no-input")
    assert result.exit_code == 2
    assert result.output == (
        "Error: missing --id (the partner's ISA06, or its UNB sender id); pass it, or run without --no-input "
        "on a terminal to be asked\n"
    )


# --- list -------------------------------------------------------------------------------------


def test_list_shows_a_table(here: Path) -> None:
    root = with_self(here)
    write_partner(root, "meridian")
    assert run("partners", "add", "acme", "--no-input", "--id", "ACME").exit_code == 0
    result = run("partners", "list")
    assert result.exit_code == 0
    assert result.output == (
        "NAME      DISPLAY NAME             IDS                                           USAGE       DOCUMENTS\n"
        "acme      acme                     x12:ZZ:ACME                                   test        out 997\n"
        "meridian  Meridian Medical Supply  x12:ZZ:MERIDIANMED, edifact:14:5412345000013  production  "
        "in 850 855; out 997\n"
    )


def test_list_json_and_problems(here: Path) -> None:
    root = with_self(here)
    write_partner(root, "meridian")
    folder = write_partner(root, "broken")
    (folder / "partner.toml").write_text((folder / "partner.toml").read_text().replace('"production"', '"prod"'))
    result = run("partners", "list", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["exit_code"] == 1
    assert data["root"] == "partners"
    assert data["partners"][0] == {"name": "broken", "status": "invalid"}
    meridian = data["partners"][1]
    assert meridian["status"] == "ok"
    assert meridian["ids"][0] == {"standard": "x12", "qualifier": "ZZ", "id": "MERIDIANMED", "gs_id": "MERIDIANMED"}
    assert meridian["documents"] == {
        "inbound": {"850": "maps/850-004010.toml", "855": "base:x12/855/004010"},
        "outbound": {"997": ""},
    }
    assert [(p["code"], p["file"], p["line"]) for p in data["problems"]] == [
        ("profile.invalid", "partners/broken/partner.toml", 4)
    ]
    text = run("partners", "list")
    assert text.exit_code == 1
    assert text.output.splitlines()[1].startswith("broken    (profile in error)")
    assert text.output.splitlines()[-1] == "x broken: 1 error; see edigw partners check broken"


def test_list_without_a_partners_folder_is_a_usage_error(here: Path) -> None:
    result = run("partners", "list")
    assert result.exit_code == 2
    assert result.output == (
        "Error: there is no partners folder at partners; create the first partner (edigw partners add NAME), "
        "or point EDIGW_PARTNERS (--root) at the folder\n"
    )


def test_root_from_the_environment(here: Path) -> None:
    root = here / "elsewhere" / "partners"
    write_partner(root, "meridian")
    (root / "_self.toml").write_text(SELF)
    result = run("partners", "list", "--json", env={"EDIGW_PARTNERS": str(root)})
    assert result.exit_code == 0
    assert [p["name"] for p in json.loads(result.stdout)["partners"]] == ["meridian"]


# --- show -------------------------------------------------------------------------------------


def test_show_prints_everything_and_secrets_only_as_references(here: Path) -> None:
    root = with_self(here)
    folder = write_partner(
        root, secrets='as2_private_key = { file = "/etc/edigw/keys/meridian.pem" }\nsftp_password = { env = "MM_SFTP" }'
    )
    write_csv(folder, "uom.csv", "code,uom,factor\nCA,BX,10\n")
    result = run("partners", "show", "meridian")
    assert result.exit_code == 0
    assert result.output == (
        "meridian: Meridian Medical Supply\n"
        "  folder:      partners/meridian\n"
        "  usage:       production\n"
        "  odoo vendor: V10442\n"
        "  ids:         x12:ZZ:MERIDIANMED (GS MERIDIANMED)\n"
        "               edifact:14:5412345000013\n"
        "  inbound:     850 -> maps/850-004010.toml\n"
        "               855 -> base:x12/855/004010\n"
        "  outbound:    997 (built by the gateway)\n"
        "  acks:        functional 999, TA1 errors, CONTRL always, expected within 12 h\n"
        "  transport:   folder\n"
        "  secrets:     as2_private_key = file:/etc/edigw/keys/meridian.pem\n"
        "               sftp_password = env:MM_SFTP\n"
        "  crosswalks:  items 0, uom 1, parties 0\n"
    )
    data = json.loads(run("partners", "show", "meridian", "--json").stdout)
    assert data["exit_code"] == 0
    assert data["problems"] == []
    assert data["partner"]["secrets"] == {
        "as2_private_key": "file:/etc/edigw/keys/meridian.pem",
        "sftp_password": "env:MM_SFTP",
    }
    assert data["partner"]["acks"] == {
        "functional": "999",
        "ta1": "errors",
        "contrl": "always",
        "expect_within_hours": 12,
    }
    assert data["partner"]["crosswalks"] == {"items": 0, "uom": 1, "parties": 0}


def test_show_an_inline_secret_never_prints_it(here: Path) -> None:
    root = with_self(here)
    write_partner(root, secrets='as2_password = "hunter2"')
    result = run("partners", "show", "meridian")
    assert result.exit_code == 1
    assert "hunter2" not in result.output
    assert result.output.splitlines()[0] == "meridian: the profile is in error, so there is nothing to show yet."
    assert result.output.splitlines()[1].startswith(
        "  x partners/meridian/partner.toml line 32: secrets.as2_password is a secret written inline; never write"
    )


def test_show_an_unknown_partner_lists_the_known_ones(here: Path) -> None:
    root = with_self(here)
    write_partner(root, "meridian")
    result = run("partners", "show", "meridan")
    assert result.exit_code == 2
    assert result.output == (
        "Error: there is no partner 'meridan' in partners (there are: meridian); list them with edigw partners list\n"
    )


# --- check ------------------------------------------------------------------------------------


def ready(here: Path) -> Path:
    """A partner whose maps exist, so that check has nothing to say."""
    root = with_self(here)
    folder = write_partner(root)
    (folder / "maps").mkdir()
    (folder / "maps" / "850-004010.toml").write_text('[map]\nextends = "x12/855/004010"\n')
    Path("maps/base/x12/855").mkdir(parents=True)
    real = Path(__file__).resolve().parent.parent / "maps" / "base" / "x12" / "855" / "004010.toml"
    Path("maps/base/x12/855/004010.toml").write_text(real.read_text())
    return folder


def test_check_a_ready_partner(here: Path) -> None:
    ready(here)
    result = run("partners", "check", "meridian")
    assert result.exit_code == 0
    assert result.output == (
        "Checking partner meridian (partners/meridian)\n"
        "  profile:      partners/meridian/partner.toml\n"
        "  crosswalks:   items 0, uom 0, parties 0\n"
        "  documents:    inbound 850 -> maps/850-004010.toml, inbound 855 -> base:x12/855/004010, "
        "outbound 997 -> (built by the gateway)\n"
        "  secrets:      none\n"
        "  certificates: no certificates configured\n"
        "meridian: no problems found\n"
    )


def test_check_reports_problems_with_exit_one(here: Path) -> None:
    folder = ready(here)
    write_csv(folder, "uom.csv", "code,uom,factor\nCA,BX,10\nEA,EA,1\nBX,EA,ten\n")
    (folder / "maps" / "850-004010.toml").unlink()
    result = run("partners", "check", "meridian")
    assert result.exit_code == 1
    assert result.output.splitlines()[-3:] == [
        "x partners/meridian/crosswalks/uom.csv line 4: factor 'ten' is not a number; "
        "write a decimal such as 10 or 0.5",
        'x partners/meridian/partner.toml line 19: documents.inbound."850" names maps/850-004010.toml, which does not '
        "exist (partners/meridian/maps/850-004010.toml); create it with edigw maps new --partner meridian "
        "--from x12/850/004010, or correct the path",
        "meridian: 2 errors, 0 warnings; fix them and run edigw partners check meridian again",
    ]


def test_check_json(here: Path) -> None:
    folder = ready(here)
    write_csv(folder, "items.csv", "vendor_sku,gtin,product_code,description\nA,,P1,\nA,,P2,\n")
    result = run("partners", "check", "meridian", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data == {
        "partner": "meridian",
        "folder": "partners/meridian",
        "ok": False,
        "facts": {
            "profile": "partners/meridian/partner.toml",
            "crosswalks": "items 2, uom 0, parties 0",
            "documents": "inbound 850 -> maps/850-004010.toml, inbound 855 -> base:x12/855/004010, "
            "outbound 997 -> (built by the gateway)",
            "secrets": "none",
            "certificates": "no certificates configured",
        },
        "problems": [
            {
                "code": "crosswalk.duplicate",
                "severity": "error",
                "file": "partners/meridian/crosswalks/items.csv",
                "line": 3,
                "key": "vendor_sku",
                "message": "vendor_sku 'A' is already on line 2",
                "fix": "keep one row for it (a duplicate is left out of the lookups until then)",
            }
        ],
        "exit_code": 1,
    }


def test_check_warnings_alone_exit_zero(here: Path) -> None:
    folder = ready(here)
    (folder / "partner.toml").write_text(
        (folder / "partner.toml").read_text() + 'sftp_password = { env = "EDIGW_TEST_SURELY_UNSET" }\n'
    )
    result = run("partners", "check", "meridian")
    assert result.exit_code == 0
    assert result.output.splitlines()[-2:] == [
        "! partners/meridian/partner.toml line 33: secrets.sftp_password reads the environment variable "
        "EDIGW_TEST_SURELY_UNSET, which is not set here; set EDIGW_TEST_SURELY_UNSET where the gateway runs "
        "(export EDIGW_TEST_SURELY_UNSET=...)",
        "meridian: no errors, 1 warning",
    ]


def test_check_an_unknown_partner_is_a_usage_error(here: Path) -> None:
    with_self(here)
    result = run("partners", "check", "_self")
    assert result.exit_code == 2
    assert result.output == "Error: there is no partner '_self' in partners; list them with edigw partners list\n"


def test_help_lists_the_subcommands() -> None:
    result = run("partners", "--help")
    assert result.exit_code == 0
    for name in ("add", "check", "list", "show"):
        assert f"  {name} " in result.output


def test_check_reports_a_broken_partner_map(here: Path) -> None:
    folder = ready(here)
    (folder / "maps" / "850-004010.toml").write_text(
        '[map]\nextends = "x12/855/004010"\n\n[fields]\npo_number = "BAK3"\n'
    )
    result = CliRunner().invoke(cli, ["partners", "check", "meridian", "--json"])
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    [bad] = [p for p in problems if p["code"] == "map.invalid"]
    assert "'BAK3' is not an element path" in bad["message"]
    assert bad["file"].endswith("meridian/maps/850-004010.toml")
