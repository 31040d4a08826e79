"""The affiliate parts of `talent import` and `talent export`: saved column mappings
(`talent import profiles save NAME --map …`, `profiles list`) and the affiliate exports."""

from __future__ import annotations

import sys
from pathlib import Path

from talent_tui.cli import common as cli
from talent_tui.core.text import printable


def profiles_cmd(action: str, name: str | None, mapping: str | None, as_json: bool) -> None:
    """`talent import profiles save NAME --map "Their Column=our_column, …"` or
    `talent import profiles list`."""
    import json

    from talent_tui.core.errors import DomainError
    from talent_tui.io.importers.affiliate import COLUMNS
    from talent_tui.services.affiliates import profiles

    database = cli.open_db()
    if action == "list":
        with database.session() as session:
            saved = [
                {"name": p.name, "map": json.loads(p.mapping)}
                for p in profiles.list_profiles(session)
            ]
        if as_json:
            cli.print_json(saved)
            return
        for p in saved:
            pairs = ", ".join(f"{theirs}={ours}" for theirs, ours in p["map"].items())
            cli.out.print(printable(f"{p['name']}: {pairs}"), soft_wrap=True)
        if not saved:
            cli.out.print("No saved profiles (built in: tiktok-shop).")
        return
    if action != "save":
        raise cli.usage(f"unknown profiles action {action!r} (save or list)")
    if not name:
        raise cli.usage('give a name: talent import profiles save NAME --map "Their=ours, …"')
    if not mapping:
        raise cli.usage('give the mapping: --map "Their Column=our_column, …"')
    ours = sorted({c for columns in COLUMNS.values() for c in columns})
    try:
        parsed = profiles.parse_map(mapping, ours)
        with database.transaction() as session:
            saved_profile = profiles.save_profile(session, name, parsed, cli.actor())
            key = saved_profile.name
    except DomainError as exc:
        raise cli.refuse(exc) from None
    if as_json:
        cli.print_json({"ok": True, "name": key, "map": parsed})
        return
    cli.out.print(printable(f"Saved import profile {key} ({len(parsed)} columns)."))


def export_affiliate_kind(kind: str, fmt: str, output: Path | None) -> None:
    from talent_tui.io import affiliate_exports

    if fmt not in ("csv", "json"):
        raise cli.usage(f"unknown format {fmt!r} (csv or json)")
    database = cli.open_db()
    with database.session() as session:
        text, count = affiliate_exports.render(kind, affiliate_exports.rows(session, kind), fmt)
    if output is None:
        sys.stdout.write(printable(text, keep_newlines=True))
        return
    from talent_tui.io.files import OutputPathError, check_output_path, write_atomically

    try:
        target = check_output_path(output, database.path)
    except OutputPathError as exc:
        raise cli.fail(str(exc)) from None
    try:
        write_atomically(target, text)
    except OSError as exc:
        raise cli.fail(f"cannot write {output}: {exc.strerror or exc}") from None
    cli.err.print(f"Wrote {count} {kind} row(s) to {output}.")
