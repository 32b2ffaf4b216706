"""``edigw maps``: scaffold a partner map, test it against files (with golden JSON), lint every map."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def roots(partners_root: str | None, maps_root: str | None) -> tuple[Path, Path]:
    """The partners and maps folders: the options, else EDIGW_PARTNERS / EDIGW_MAPS, else ./partners and ./maps."""
    partners = Path(partners_root or os.environ.get("EDIGW_PARTNERS", "partners"))
    maps = Path(maps_root or os.environ.get("EDIGW_MAPS", "maps"))
    return partners, maps


def _partner_dir(partners: Path, name: str) -> Path:
    folder = partners / name
    if not folder.is_dir():
        raise click.ClickException(
            f"no partner '{name}' in {partners}/: add it with `edigw partners add {name}` (or pass --root)"
        )
    return folder


root_options = [
    click.option("--root", "partners_root", type=click.Path(file_okay=False), help="Partners folder [partners]."),
    click.option("--maps", "maps_root", type=click.Path(file_okay=False), help="Maps folder [maps]."),
]


def _with_roots(fn: Any) -> Any:
    for option in reversed(root_options):
        fn = option(fn)
    return fn


@click.group()
def maps() -> None:
    """Partner maps: scaffold, test, lint."""


@maps.command("new")
@click.option("--partner", required=True, help="The partner the map is for.")
@click.option("--from", "base", required=True, help="The base map: x12/850/004010, edifact/ORDERS/D96A, ...")
@click.option("--force", is_flag=True, help="Overwrite an existing partner map.")
@click.option("--json", "as_json", is_flag=True)
@_with_roots
def new(partner: str, base: str, force: bool, as_json: bool, partners_root: str | None, maps_root: str | None) -> None:
    """Write partners/PARTNER/maps/SET-VERSION.toml: the base map's rules, commented, ready to override."""
    from ..mapping.maps import base_map_path
    from ..mapping.scaffold import scaffold

    partners, maps_dir = roots(partners_root, maps_root)
    folder = _partner_dir(partners, partner)
    base_file = base_map_path(base, maps_dir)
    if not base_file.is_file():
        available = sorted(
            str(p.relative_to(maps_dir / "base").with_suffix("")) for p in (maps_dir / "base").rglob("*.toml")
        )
        raise click.ClickException(f"no base map '{base}'; available: {', '.join(available)}")
    try:
        _standard, set_id, version = base.strip("/").split("/")
    except ValueError as exc:
        raise click.ClickException(f"--from is STANDARD/SET/VERSION, e.g. x12/850/004010, not '{base}'") from exc
    target = folder / "maps" / f"{set_id}-{version}.toml"
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists: edit it, or pass --force to start again")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(scaffold(base_file, base, partner), encoding="utf-8")
    if as_json:
        click.echo(json.dumps({"written": str(target), "extends": base}))
        return
    click.echo(f"wrote {target} (extends {base})")
    click.echo("next:")
    click.echo(f"  edit it: uncomment a rule and change it to say how {partner} differs")
    click.echo(f"  edigw maps test --partner {partner} FILE...            see the document and unused input")
    click.echo(f"  edigw maps test --partner {partner} --expect DIR --update FILE...   pin it as golden files")


@maps.command("test")
@click.option("--partner", required=True)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--expect", "expect_dir", type=click.Path(file_okay=False), help="Compare with golden JSON files here.")
@click.option("--update", is_flag=True, help="With --expect: write the golden files from this run.")
@click.option("--json", "as_json", is_flag=True)
@_with_roots
def test(
    partner: str,
    files: tuple[str, ...],
    expect_dir: str | None,
    update: bool,
    as_json: bool,
    partners_root: str | None,
    maps_root: str | None,
) -> None:
    """Validate FILES, translate them with the partner's maps, and show documents, unused input and findings."""
    from ..mapping.service import golden_diff, golden_path, golden_text, translate_file
    from .translate import checker_for, render_outcome, validate_summary

    partners, maps_dir = roots(partners_root, maps_root)
    folder = _partner_dir(partners, partner)
    checker, named = checker_for(partners, partner)
    worst = EXIT_OK
    report: list[dict[str, Any]] = []
    for name in files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise click.ClickException(f"cannot read {path}: {exc.strerror}") from exc
        syntax = validate_summary(data)
        entry: dict[str, Any] = {"file": str(path), "syntax": syntax, "transactions": []}
        if syntax["rejected"]:
            worst = EXIT_PROBLEMS
        for outcome in translate_file(
            data, maps_root=maps_dir, partner=partner, partner_dir=folder, named_maps=named, checker=checker
        ):
            d = outcome.to_dict()
            if not outcome.ok:
                worst = EXIT_PROBLEMS
            if expect_dir is not None:
                gold = golden_path(Path(expect_dir), path, outcome.index)
                text = golden_text(outcome)
                if update:
                    gold.parent.mkdir(parents=True, exist_ok=True)
                    gold.write_text(text, encoding="utf-8")
                    d["golden"] = {"file": str(gold), "status": "written"}
                elif not gold.is_file():
                    d["golden"] = {"file": str(gold), "status": "missing"}
                    worst = EXIT_PROBLEMS
                else:
                    diff = golden_diff(gold.read_text(encoding="utf-8"), text, gold.name)
                    d["golden"] = {"file": str(gold), "status": "same" if not diff else "differs", "diff": diff}
                    if diff:
                        worst = EXIT_PROBLEMS
            entry["transactions"].append(d)
        report.append(entry)
        if not as_json:
            click.echo(render_outcome(entry))
    if as_json:
        click.echo(json.dumps({"files": report, "exit_code": worst}, indent=2, default=str))
    sys.exit(worst)


@maps.command("lint")
@click.option("--json", "as_json", is_flag=True)
@_with_roots
def lint(as_json: bool, partners_root: str | None, maps_root: str | None) -> None:
    """Load every base map and every partner map, and report each error with its file and rule."""
    from ..mapping.maps import MapError, load_map

    partners, maps_dir = roots(partners_root, maps_root)
    files = sorted((maps_dir / "base").rglob("*.toml")) + sorted(partners.glob("*/maps/*.toml"))
    problems = []
    for path in files:
        try:
            load_map(path, maps_dir)
        except MapError as exc:
            problems.append({"file": str(path), "error": str(exc)})
    if as_json:
        click.echo(json.dumps({"checked": len(files), "problems": problems}, indent=2))
    else:
        for p in problems:
            click.echo(f"x {p['error']}")
        click.echo(f"{len(files)} maps checked, {len(problems)} with errors")
    sys.exit(EXIT_PROBLEMS if problems else EXIT_OK)
