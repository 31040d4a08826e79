"""Team mode on PostgreSQL: `team add` makes login roles, and the database itself (row-level
security, migration 0009) keeps each manager to their own rows. The checks connect as each
person's role with plain SQL (psycopg, no talent code), as anyone with a SQL client could."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.services import team
from talent_tui.store import db as dbmod

# Roles belong to the whole server, shared by every test process: names of this process.
PID = os.getpid()
BOSS, MINA, JOE, VERA = (f"{who}_{PID}" for who in ("boss", "mina", "joe", "vera"))


def url_as(url: str, user: str) -> str:
    return make_url(url).set(username=user).render_as_string(hide_password=False)


def connect_as(url: str, user: str) -> psycopg.Connection:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host, port=parsed.port, dbname=parsed.database, user=user, autocommit=True
    )


def rows(connection: psycopg.Connection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


OWNER = team.Acting("postgres", login="postgres", owner=True)


@pytest.fixture(scope="module")
def team_db(pg_databases, pg_template) -> Iterator[dict]:  # noqa: ANN001
    """One database for the module: a team of four and two creators each with a deal, an
    offer and an invoice, plus one unassigned creator. Ids are in the returned dict."""
    url = pg_databases.create(template=pg_template)
    database = dbmod.open_database(url)
    with database.transaction() as session:
        team.add(session, OWNER, BOSS, "admin")
        team.add(session, OWNER, MINA, "manager")
        team.add(session, OWNER, JOE, "manager")
        team.add(session, OWNER, VERA, "viewer")
    ids: dict = {"url": url}
    with database.engine.begin() as conn:
        brand = conn.execute(
            sa.text("INSERT INTO brands (name, notes, created_at) VALUES ('Glow', '', now())"
                    " RETURNING id")
        ).scalar_one()  # fmt: skip
        for who, handle in ((MINA, "@mina_star"), (JOE, "@joe_star"), (None, "@nobody")):
            owner = conn.execute(
                sa.text("SELECT id FROM managers WHERE name = :n"), {"n": who}
            ).scalar_one_or_none()
            creator = conn.execute(
                sa.text(
                    "INSERT INTO creators (name, tiktok_handle, followers, tags, commission_bp,"
                    " notes, created_at, updated_at, open_deals, manager_id) VALUES (:name,"
                    " :handle, 1000, '', 0, '', now(), now(), 0, :owner) RETURNING id"
                ),
                {"name": handle.strip("@"), "handle": handle, "owner": owner},
            ).scalar_one()
            campaign = conn.execute(
                sa.text(
                    "INSERT INTO campaigns (creator_id, brand_id, name, fee_minor, currency,"
                    " status, notes, created_at, updated_at) VALUES (:c, :b, :n, 250000, 'USD',"
                    " 'offer_received', '', now(), now()) RETURNING id"
                ),
                {"c": creator, "b": brand, "n": f"Deal of {handle}"},
            ).scalar_one()
            conn.execute(
                sa.text(
                    "INSERT INTO offers (campaign_id, version, proposed_by, fee_minor, currency,"
                    " deliverables, note, created_at, created_by) VALUES (:c, 1, 'brand',"
                    " 250000, 'USD', '', '', now(), 'x')"
                ),
                {"c": campaign},
            )
            invoice = conn.execute(
                sa.text(
                    "INSERT INTO invoices (campaign_id, number, amount_minor, currency,"
                    " issued_on, due_on, created_at) VALUES (:c, :n, 250000, 'USD',"
                    " '2026-11-01', '2026-12-01', now()) RETURNING id"
                ),
                {"c": campaign, "n": f"INV-{handle}"},
            ).scalar_one()
            ids[handle] = {"creator": creator, "campaign": campaign, "invoice": invoice}
    database.dispose()
    yield ids
    pg_databases.drop(url)


def test_a_manager_reads_only_their_own_and_the_unassigned(team_db: dict) -> None:
    with connect_as(team_db["url"], MINA) as mina:
        assert sorted(r[0] for r in rows(mina, "SELECT tiktok_handle FROM creators")) == [
            "@mina_star",
            "@nobody",
        ]
        assert sorted(r[0] for r in rows(mina, "SELECT name FROM campaigns")) == [
            "Deal of @mina_star",
            "Deal of @nobody",
        ]
        own = {team_db["@mina_star"]["campaign"], team_db["@nobody"]["campaign"]}
        assert {r[0] for r in rows(mina, "SELECT campaign_id FROM offers")} == own
        assert sorted(r[0] for r in rows(mina, "SELECT number FROM invoices")) == [
            "INV-@mina_star",
            "INV-@nobody",
        ]
        joes = team_db["@joe_star"]
        found = rows(mina, f"SELECT * FROM invoices WHERE id = {joes['invoice']}")
        assert found == []


def test_a_manager_cannot_change_another_managers_rows(team_db: dict) -> None:
    joes = team_db["@joe_star"]
    with connect_as(team_db["url"], MINA) as mina:
        changed = mina.execute(
            f"UPDATE creators SET name = 'taken' WHERE id = {joes['creator']}"
        ).rowcount
        assert changed == 0
        assert (
            mina.execute(
                f"UPDATE invoices SET paid_on = '2026-11-02' WHERE id = {joes['invoice']}"
            ).rowcount
            == 0
        )
        assert mina.execute(f"DELETE FROM campaigns WHERE id = {joes['campaign']}").rowcount == 0
        # Nor give herself a deal on Joe's creator, nor hand her creator to Joe.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            mina.execute(
                "INSERT INTO campaigns (creator_id, brand_id, name, fee_minor, currency, status,"
                f" notes, created_at, updated_at) SELECT {joes['creator']}, id, 'sneaky', 1,"
                " 'USD', 'offer_received', '', now(), now() FROM brands LIMIT 1"
            )
        mine = team_db["@mina_star"]["creator"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            mina.execute(
                f"UPDATE creators SET manager_id = (SELECT id FROM managers WHERE name = '{JOE}')"
                f" WHERE id = {mine}"
            )
        # Her own rows she changes.
        assert (
            mina.execute(
                f"UPDATE invoices SET paid_on = '2026-11-03' WHERE id = "
                f"{team_db['@mina_star']['invoice']}"
            ).rowcount
            == 1
        )
    with connect_as(team_db["url"], "postgres") as owner:
        assert rows(owner, f"SELECT name FROM creators WHERE id = {joes['creator']}") == [
            ("joe_star",)
        ]
        assert rows(owner, f"SELECT paid_on FROM invoices WHERE id = {joes['invoice']}") == [
            (None,)
        ]
        assert rows(owner, "SELECT count(*) FROM campaigns") == [(3,)]


def add_newbie_as_joe(url: str) -> None:
    """Joe adds a creator with plain SQL, naming no manager (once per module's database)."""
    with connect_as(url, JOE) as joe:
        joe.execute(
            "INSERT INTO creators (name, tiktok_handle, followers, tags, commission_bp, notes,"
            " created_at, updated_at, open_deals) VALUES ('Newbie', '@newbie_joe', 5, '', 0,"
            " '', now(), now(), 0) ON CONFLICT (tiktok_handle) DO NOTHING"
        )


def test_a_new_creator_of_a_manager_is_theirs(team_db: dict) -> None:
    add_newbie_as_joe(team_db["url"])
    with connect_as(team_db["url"], JOE) as joe:
        assert rows(
            joe,
            "SELECT m.name FROM creators c JOIN managers m ON m.id = c.manager_id"
            " WHERE c.tiktok_handle = '@newbie_joe'",
        ) == [(JOE,)]
    with connect_as(team_db["url"], MINA) as mina:
        assert rows(mina, "SELECT id FROM creators WHERE tiktok_handle = '@newbie_joe'") == []


def test_a_viewer_reads_everything_and_writes_nothing(team_db: dict) -> None:
    with connect_as(team_db["url"], VERA) as vera:
        handles = {r[0] for r in rows(vera, "SELECT tiktok_handle FROM creators")}
        assert {"@mina_star", "@joe_star", "@nobody"} <= handles
        assert len(rows(vera, "SELECT id FROM invoices")) == 3
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            vera.execute("UPDATE creators SET name = 'v'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            vera.execute("DELETE FROM invoices")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            vera.execute("INSERT INTO managers (name, role, added_at) VALUES ('x', 'admin', now())")


def test_an_admin_reads_and_writes_everything(team_db: dict) -> None:
    with connect_as(team_db["url"], BOSS) as boss:
        assert len(rows(boss, "SELECT id FROM campaigns")) >= 3
        assert (
            boss.execute(
                f"UPDATE creators SET notes = 'checked' WHERE id IN "
                f"({team_db['@mina_star']['creator']}, {team_db['@joe_star']['creator']})"
            ).rowcount
            == 2
        )


def test_the_cli_acts_as_the_login_and_refuses_as_for_a_manager(team_db: dict) -> None:
    runner = CliRunner()
    as_mina = url_as(team_db["url"], MINA)
    listed = runner.invoke(cli.app, ["--db", as_mina, "creators", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [r["tiktok_handle"] for r in json.loads(listed.stdout)] == ["@mina_star"]
    everything = runner.invoke(cli.app, ["--db", as_mina, "creators", "list", "--all", "--json"])
    assert sorted(r["tiktok_handle"] for r in json.loads(everything.stdout)) == [
        "@mina_star",
        "@nobody",
    ]
    refused = runner.invoke(cli.app, ["--db", as_mina, "--as", BOSS, "creators", "list"])
    assert refused.exit_code == 1
    assert "--as (and TALENT_AS) is for admins" in refused.stderr
    # Her change is recorded under her login; taking the unassigned creator works.
    took = runner.invoke(cli.app, ["--db", as_mina, "creators", "assign", "@nobody", MINA])
    assert took.exit_code == 0, took.output
    with connect_as(team_db["url"], "postgres") as owner:
        assert rows(
            owner, "SELECT actor, action FROM audit_entries WHERE entity = 'creator' "
            f"AND entity_id = {team_db['@nobody']['creator']}"
        ) == [(MINA, "assigned")]  # fmt: skip
        owner.execute(
            f"UPDATE creators SET manager_id = NULL WHERE id = {team_db['@nobody']['creator']}"
        )
    # An admin may act as someone else; the history names that person.
    as_boss = url_as(team_db["url"], BOSS)
    acted = runner.invoke(cli.app, ["--db", as_boss, "--as", MINA, "creators", "list", "--json"])
    assert acted.exit_code == 0, acted.output
    assert [r["tiktok_handle"] for r in json.loads(acted.stdout)] == ["@mina_star"]


def test_removing_a_manager_hands_their_rows_over_and_locks_them_out(team_db: dict) -> None:
    add_newbie_as_joe(team_db["url"])
    runner = CliRunner()
    as_boss = url_as(team_db["url"], BOSS)
    as_mina = url_as(team_db["url"], MINA)
    not_admin = runner.invoke(cli.app, ["--db", as_mina, "team", "remove", JOE, "--to", MINA])
    assert not_admin.exit_code == 1
    assert "only an admin" in not_admin.stderr
    refused = runner.invoke(cli.app, ["--db", as_boss, "team", "remove", JOE])
    assert refused.exit_code == 1
    assert "responsible for 2 creator(s)" in refused.stderr  # joe_star and newbie_joe
    done = runner.invoke(cli.app, ["--db", as_boss, "team", "remove", JOE, "--to", MINA])
    assert done.exit_code == 0, done.output
    assert "2 creator(s) and 0 affiliate(s) now" in done.stdout
    with connect_as(team_db["url"], JOE) as joe:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            joe.execute("SELECT id FROM creators")
    locked_out = runner.invoke(cli.app, ["--db", url_as(team_db["url"], JOE), "creators", "list"])
    assert locked_out.exit_code == 3
    assert f"{JOE} may not read this database" in locked_out.stderr
    with connect_as(team_db["url"], MINA) as mina:
        handles = {r[0] for r in rows(mina, "SELECT tiktok_handle FROM creators")}
        assert {"@joe_star", "@newbie_joe", "@mina_star"} <= handles
    with connect_as(team_db["url"], "postgres") as owner:
        assert rows(owner, f"SELECT removed_at IS NOT NULL FROM managers WHERE name = '{JOE}'") == [
            (True,)
        ]
        assert rows(
            owner, "SELECT actor FROM audit_entries WHERE entity = 'manager' AND "
            "action = 'removed from the team'"
        ) == [(BOSS,)]  # fmt: skip


def test_an_admin_adds_a_viewer_who_can_then_sign_in_and_read(team_db: dict) -> None:
    runner = CliRunner()
    newcomer = f"nico_{PID}"
    added = runner.invoke(
        cli.app,
        ["--db", url_as(team_db["url"], BOSS), "team", "add", newcomer, "--role", "viewer"],
    )
    assert added.exit_code == 0, added.output
    with connect_as(team_db["url"], newcomer) as nico:
        assert len(rows(nico, "SELECT id FROM invoices")) == 3
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            nico.execute("UPDATE invoices SET number = 'x'")


def test_a_viewer_opens_and_lists_but_a_change_is_refused_in_words(
    team_db: dict, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = CliRunner()
    nobody = team_db["@nobody"]["campaign"]
    with connect_as(team_db["url"], "postgres") as owner:  # an offer past its reply date
        owner.execute(f"UPDATE campaigns SET respond_by = '2020-01-01' WHERE id = {nobody}")
        status = rows(owner, f"SELECT status FROM campaigns WHERE id = {nobody}")
    as_vera = url_as(team_db["url"], VERA)
    listed = runner.invoke(cli.app, ["--db", as_vera, "creators", "list", "--json"])
    assert listed.exit_code == 0, listed.output  # opening skipped the expiry it may not do
    assert {"@mina_star", "@nobody"} <= {r["tiktok_handle"] for r in json.loads(listed.stdout)}
    # As the `talent` executable runs it (cli.run: a refusal that escapes a command is its
    # words on stderr, exit code 3 for the database).
    monkeypatch.setattr(
        "sys.argv",
        ["talent", "--db", as_vera, "creators", "add", "--name", "V", "--tiktok", "@v_new"],
    )
    with pytest.raises(SystemExit) as ended:
        cli.run()
    assert ended.value.code == 3
    said = capsys.readouterr().err
    assert f"{VERA} may only read this (creators" in said and "Traceback" not in said
    with connect_as(team_db["url"], "postgres") as owner:
        assert rows(owner, f"SELECT status FROM campaigns WHERE id = {nobody}") == status
        assert rows(owner, "SELECT id FROM creators WHERE tiktok_handle = '@v_new'") == []
        owner.execute(f"UPDATE campaigns SET respond_by = NULL WHERE id = {nobody}")


def test_superusers_the_owner_and_system_roles_cannot_join(team_db: dict) -> None:
    runner = CliRunner()
    for name, said in (
        ("postgres", "superuser or owns talent's tables"),
        ("pg_monitor", "keeps for itself"),
        ("talent_viewer", "keeps for itself"),
    ):
        result = runner.invoke(cli.app, ["--db", team_db["url"], "team", "add", name])
        assert result.exit_code == 1, (name, result.output)
        assert said in result.stderr
    with connect_as(team_db["url"], "postgres") as owner:
        assert (
            rows(owner, "SELECT name FROM managers WHERE name IN ('postgres', 'pg_monitor')") == []
        )


def test_the_history_names_the_login_and_only_grows(team_db: dict) -> None:
    with connect_as(team_db["url"], MINA) as mina:
        mina.execute(
            "INSERT INTO audit_entries (at, actor, entity, entity_id, action)"
            " VALUES (now(), 'somebody_else', 'creator', 1, 'forged')"
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            mina.execute("DELETE FROM audit_entries")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            mina.execute("UPDATE audit_entries SET actor = 'x'")
    with connect_as(team_db["url"], "postgres") as owner:
        assert rows(owner, "SELECT actor FROM audit_entries WHERE action = 'forged'") == [(MINA,)]


def test_affiliates_and_their_orders_follow_their_manager(team_db: dict) -> None:
    with connect_as(team_db["url"], "postgres") as owner:
        program = owner.execute(
            "INSERT INTO programs (name, slug, brand_id, currency, rate_bp, attribution_days,"
            " lock_days, net_days, forbidden_sources, terms, created_at) SELECT 'Glow Club',"
            " 'glow-club', id, 'EUR', 1000, 30, 30, 30, '', '', now() FROM brands LIMIT 1"
            " RETURNING id"
        ).fetchone()[0]
        for handle, who in (("@aff_mina", MINA), ("@aff_boss", BOSS)):
            affiliate = owner.execute(
                "INSERT INTO affiliates (program_id, handle, code, stage, stage_since, notes,"
                " created_at, manager_id) VALUES (%s, %s, %s, 'active', now(), '', now(),"
                " (SELECT id FROM managers WHERE name = %s)) RETURNING id",
                (program, handle, handle[1:], who),
            ).fetchone()[0]
            owner.execute(
                "INSERT INTO conversions (program_id, order_id, affiliate_id, occurred_at,"
                " amount_minor, refund_minor, currency, status, created_at, updated_at)"
                " VALUES (%s, %s, %s, now(), 4999, 0, 'EUR', 'approved', now(), now())",
                (program, f"order-{handle}", affiliate),
            )
            owner.execute(
                "INSERT INTO click_days (program_id, affiliate_id, day, clicks) VALUES"
                " (%s, %s, '2026-11-01', 10)",
                (program, affiliate),
            )
    with connect_as(team_db["url"], MINA) as mina:
        assert rows(mina, "SELECT handle FROM affiliates") == [("@aff_mina",)]
        assert rows(mina, "SELECT order_id, amount_minor FROM conversions") == [
            ("order-@aff_mina", 4999)
        ]
        assert rows(mina, "SELECT sum(clicks) FROM click_days") == [(10,)]
        assert mina.execute("UPDATE conversions SET refund_minor = 4999").rowcount == 1
    with connect_as(team_db["url"], "postgres") as owner:
        assert rows(owner, "SELECT order_id, refund_minor FROM conversions ORDER BY 1") == [
            ("order-@aff_boss", 0),
            ("order-@aff_mina", 4999),
        ]
