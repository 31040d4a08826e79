"""Team mode: the managers who share one database, who acts, and what each may see and change.

Roles (written down once here; README "Team mode" says the same for people):

- **admin** reads and writes everything, manages the team (`team add/remove`), assigns any
  creator or affiliate to anyone, and may act as someone else (`--as`).
- **manager** reads and writes their own creators and affiliates (and everything that follows
  them: deals, invoices, metrics, clicks…) and the unassigned ones, the agency's shared pool;
  they can take an unassigned one (assign it to themselves), not hand one to someone else.
- **viewer** reads everything and writes nothing; a viewer owns nothing.

On PostgreSQL the database enforces this (migration 0009's row-level security): each person
connects as their own role, which `add` creates (or adopts) and makes a member of the group
role talent_admin, talent_manager or talent_viewer. On SQLite (one person's file) there are no
logins: the team is a list of names, the acting one is `--as` (or TALENT_AS, or the OS user),
and the rules are the app's alone.

Who acts (`acting`): on PostgreSQL the login (`current_user`); an admin (or the owner of the
tables) may name someone else with `--as`, anyone else is refused. On SQLite the `--as` name.

The roster shows the acting person's own creators by default (`Acting.own`); "all" is what the
role allows (`Acting.allowed`). Nobody on the team, or a viewer: no filter.

Reads here are plain SQL (`store.plain`) so the roster's first frame can ask before the ORM is
loaded; the changes take a `Session`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from talent_tui.core.errors import DomainError
from talent_tui.store.plain import dbapi, fetch_all

if TYPE_CHECKING:
    from sqlmodel import Session

ROLES = ("admin", "manager", "viewer")
GROUP_ROLES = {role: f"talent_{role}" for role in ROLES}
# A PostgreSQL role name that needs no quoting anywhere (and fits NAMEDATALEN).
NAME_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Tables a manager never writes (the team itself, the schema's version), and the history,
# which admins and managers only add to (the owner alone may change or delete an entry).
NOT_WRITTEN = ("managers", "alembic_version")
APPEND_ONLY = ("audit_entries",)


class TeamError(DomainError):
    pass


class NotAllowed(TeamError):
    """The acting person's role does not allow this."""


def manager_name(text: str) -> str:
    """A team member's name: their PostgreSQL role, so lower-case letters, digits and _,
    starting with a letter or _, at most 63 characters."""
    name = text.strip()
    if not NAME_PATTERN.fullmatch(name):
        raise TeamError(
            f"{name[:70]!r} cannot be a team member's name: use lower-case letters, digits "
            "and _, starting with a letter (at most 63 characters), as PostgreSQL role names"
        )
    return name


def role_name(text: str) -> str:
    role = text.strip().lower()
    if role not in ROLES:
        raise TeamError(f"unknown role {text!r}: admin, manager or viewer")
    return role


def is_postgres(source: Any) -> bool:
    return type(dbapi(source)).__module__.startswith("psycopg")


# ---- what belongs to whom --------------------------------------------------------------------

# table -> (column, parent): how a row reaches its owner, the app's copy of migration 0009's
# list (a migration is frozen at its revision; this one follows the models). A parent of None
# is the owner itself (the column is a managers.id); in NULLABLE a row with no parent (a brand's
# interaction, a program-wide creative) belongs to everyone. A table added later (an
# affiliate's statements, payouts) is one line here and one in its migration's policies.
OWNED: dict[str, tuple[str, str | None]] = {
    "creators": ("manager_id", None),
    "affiliates": ("manager_id", None),
    "campaigns": ("creator_id", "creators"),
    "metric_snapshots": ("creator_id", "creators"),
    "audience_segments": ("creator_id", "creators"),
    "rates": ("creator_id", "creators"),
    "interactions": ("creator_id", "creators"),
    "offers": ("campaign_id", "campaigns"),
    "deliverables": ("campaign_id", "campaigns"),
    "invoices": ("campaign_id", "campaigns"),
    "feedback": ("deliverable_id", "deliverables"),
    "affiliate_stage_changes": ("affiliate_id", "affiliates"),
    "checklist_ticks": ("affiliate_id", "affiliates"),
    "tracking_links": ("affiliate_id", "affiliates"),
    "promo_codes": ("affiliate_id", "affiliates"),
    "creatives": ("affiliate_id", "affiliates"),
    "click_days": ("affiliate_id", "affiliates"),
    "conversions": ("affiliate_id", "affiliates"),
    # affiliate money (0007_affiliate_money): an affiliate's statements, adjustments and
    # review flags are theirs, a statement's lines and a flag's holds follow them
    "statements": ("affiliate_id", "affiliates"),
    "statement_lines": ("statement_id", "statements"),
    "adjustments": ("affiliate_id", "affiliates"),
    "review_flags": ("affiliate_id", "affiliates"),
    "review_holds": ("flag_id", "review_flags"),
}
NULLABLE = {"interactions", "creatives"}


def _scope_sql(table: str, manager_id: int, unassigned: bool) -> tuple[str, list[object]]:
    column, parent = OWNED[table]
    if parent is None:
        free = f" OR {column} IS NULL" if unassigned else ""
        return f"SELECT id FROM {table} WHERE {column} = ?{free}", [manager_id]
    inner, params = _scope_sql(parent, manager_id, unassigned)
    free = f"{column} IS NULL OR " if table in NULLABLE else ""
    return f"SELECT id FROM {table} WHERE {free}{column} IN ({inner})", params


def owned_ids(source: Any, table: str, manager_id: int, unassigned: bool = False) -> set[int]:
    """The ids of `table`'s rows that belong to the manager (and with `unassigned` to nobody),
    following OWNED up to their creator or affiliate."""
    sql, params = _scope_sql(table, manager_id, unassigned)
    return {int(row[0]) for row in fetch_all(source, sql, params)}


# ---- who acts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    role: str
    added_at: datetime
    removed_at: datetime | None
    creators: int = 0
    affiliates: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "role": self.role,
            "added_at": _iso(self.added_at),
            "removed_at": _iso(self.removed_at) if self.removed_at else None,
            "creators": self.creators,
            "affiliates": self.affiliates,
        }


@dataclass(frozen=True)
class Acting:
    """Who is acting: the name the history records, and their place on the team."""

    name: str
    role: str | None = None  # None: not on the team (solo, or the tables' owner)
    manager_id: int | None = None
    login: str | None = None  # the PostgreSQL login, when there is one
    owner: bool = False  # PostgreSQL: the login owns the tables (it migrates); an admin

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" or self.owner

    def owner_filter(self, everything: bool) -> tuple[int | None, bool]:
        """(manager id, with the unassigned) for a roster view: the person's own rows by
        default, what the role allows with `everything`; (None, _) is no filter."""
        if self.manager_id is None or self.role not in ("admin", "manager"):
            return None, False
        if not everything:
            return self.manager_id, False
        if self.role == "manager":
            return self.manager_id, True
        return None, False


def _member_row(values: tuple[Any, ...]) -> Member:
    id_, name, role, added, removed = values[:5]
    return Member(id_, name, role, _aware(added), _aware(removed) if removed else None, *values[5:])


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def has_team_table(source: Any) -> bool:
    if is_postgres(source):
        found = fetch_all(source, "SELECT to_regclass('managers') IS NOT NULL")
        return bool(found[0][0])
    found = fetch_all(
        source, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'managers'"
    )
    return bool(found)


def member(source: Any, name: str, *, removed: bool = False) -> Member | None:
    sql = "SELECT id, name, role, added_at, removed_at FROM managers WHERE name = ?" + (
        "" if removed else " AND removed_at IS NULL"
    )
    found = fetch_all(source, sql, [name])
    return _member_row(found[0]) if found else None


def login(source: Any) -> str | None:
    """The PostgreSQL login (`current_user`), None on SQLite."""
    if not is_postgres(source):
        return None
    return str(fetch_all(source, "SELECT current_user")[0][0])


def acting(source: Any, requested: str | None, fallback: str) -> Acting:
    """Who acts (see the module's docstring). `requested`: `--as`/TALENT_AS when given;
    `fallback`: the name to use on SQLite when none is (the OS user)."""
    if not has_team_table(source):
        return Acting(requested or fallback)
    signed_in = login(source)
    if signed_in is None:
        name = requested or fallback
        found = member(source, name)
        return Acting(name, found.role if found else None, found.id if found else None)
    me = member(source, signed_in, removed=True)
    if me is not None and me.removed_at is not None:
        raise NotAllowed(f"{signed_in} was removed from the team; ask an admin")
    owner = me is None and fetch_all(source, "SELECT talent_team_role()")[0][0] == "owner"
    mine = Acting(signed_in, me.role if me else None, me.id if me else None, signed_in, owner)
    if requested is None or requested == signed_in:
        return mine
    if not mine.is_admin:
        raise NotAllowed(
            f"--as (and TALENT_AS) is for admins: you are signed in to the database as "
            f"{signed_in} ({mine.role}), and your changes are recorded under that name"
        )
    other = member(source, requested)
    return Acting(
        requested, other.role if other else None, other.id if other else None, signed_in, owner
    )


def members(source: Any, *, removed: bool = False) -> list[Member]:
    """The team, by name, with how many creators and affiliates each is responsible for."""
    where = "" if removed else " WHERE m.removed_at IS NULL"
    rows = fetch_all(
        source,
        "SELECT m.id, m.name, m.role, m.added_at, m.removed_at,"
        " (SELECT count(*) FROM creators c WHERE c.manager_id = m.id),"
        " (SELECT count(*) FROM affiliates a WHERE a.manager_id = m.id)"
        f" FROM managers m{where} ORDER BY m.name",
    )
    return [_member_row(row) for row in rows]


# ---- changing the team ------------------------------------------------------------------------


def _require_admin(session: Session, who: Acting, what: str) -> None:
    """Team changes are an admin's; the first member of an empty team may be added by
    anyone (someone has to be first), and on PostgreSQL the tables' owner is an admin."""
    if who.is_admin:
        return
    if not fetch_all(session, "SELECT 1 FROM managers WHERE removed_at IS NULL LIMIT 1"):
        return
    raise NotAllowed(f"only an admin can {what}; {who.name} is {who.role or 'not on the team'}")


def add(session: Session, who: Acting, name: str, role: str = "manager") -> Member:
    """Add NAME with ROLE, or give a removed member their place back (with ROLE). On
    PostgreSQL also create the login role NAME (or adopt an existing one) and make it a member
    of its group role, with the grants that role needs. One transaction (PostgreSQL's role
    changes are transactional too)."""
    from talent_tui.services import audit
    from talent_tui.store.models import Manager

    name, role = manager_name(name), role_name(role)
    _require_admin(session, who, "add someone to the team")
    existing = member(session, name, removed=True)
    if existing is not None and existing.removed_at is None:
        raise TeamError(f"{name} is already on the team ({existing.role})")
    if existing is not None:
        row = session.get(Manager, existing.id)
        assert row is not None
        before = {"role": row.role, "removed_at": row.removed_at}
        row.role, row.removed_at = role, None
        action = "back on the team"
    else:
        row = Manager(name=name, role=role)
        before = None
        action = "added to the team"
    session.add(row)
    session.flush()
    assert row.id is not None
    if is_postgres(session):
        provision(session, name, role)
    audit.record(session, who.name, "manager", row.id, action, before, {"name": name, "role": role})
    return _member_row((row.id, row.name, row.role, row.added_at, row.removed_at))


def remove(session: Session, who: Acting, name: str, to: str | None = None) -> tuple[int, int]:
    """Take NAME off the team. Refused while they are responsible for a creator or an
    affiliate, unless `to` names the member who takes them over (in the same transaction).
    Returns (creators, affiliates) handed over. Their row stays (the history names them); on
    PostgreSQL their role loses its group and its login."""
    from talent_tui.services import audit
    from talent_tui.store.models import Manager

    name = manager_name(name)
    _require_admin(session, who, "remove someone from the team")
    leaving = member(session, name)
    if leaving is None:
        raise TeamError(f"{name} is not on the team (talent team list)")
    if leaving.role == "admin" and not fetch_all(
        session,
        "SELECT 1 FROM managers WHERE role = 'admin' AND removed_at IS NULL AND id <> ?",
        [leaving.id],
    ):
        raise TeamError(f"{name} is the team's last admin; make someone else admin first")
    creators, affiliates = _owned_counts(session, leaving.id)
    heir: Member | None = None
    if to is not None:
        heir = member(session, manager_name(to))
        if heir is None:
            raise TeamError(f"--to {to}: not on the team (talent team list)")
        if heir.id == leaving.id:
            raise TeamError("--to names the person being removed; name someone else")
        if heir.role == "viewer":
            raise TeamError(f"--to {to}: a viewer cannot be responsible for creators")
    elif creators or affiliates:
        raise TeamError(
            f"{name} is responsible for {creators} creator(s) and {affiliates} affiliate(s); "
            "hand them over with --to OTHER (or assign them first)"
        )
    if heir is not None and (creators or affiliates):
        for table in ("creators", "affiliates"):
            session.connection().exec_driver_sql(
                f"UPDATE {table} SET manager_id = %(to)s WHERE manager_id = %(from)s"
                if is_postgres(session)
                else f"UPDATE {table} SET manager_id = :to WHERE manager_id = :from",
                {"to": heir.id, "from": leaving.id},
            )
    row = session.get(Manager, leaving.id)
    assert row is not None
    row.removed_at = datetime.now(UTC)
    session.add(row)
    if is_postgres(session):
        revoke(session, name)
    after: dict[str, object] = {"removed_at": row.removed_at, "to": heir.name if heir else None}
    after |= {"creators": creators, "affiliates": affiliates}
    audit.record(session, who.name, "manager", leaving.id, "removed from the team", None, after)
    return creators, affiliates


def _owned_counts(source: Any, manager_id: int) -> tuple[int, int]:
    found = fetch_all(
        source,
        "SELECT (SELECT count(*) FROM creators WHERE manager_id = ?),"
        " (SELECT count(*) FROM affiliates WHERE manager_id = ?)",
        [manager_id, manager_id],
    )
    return int(found[0][0]), int(found[0][1])


def _assignee(session: Session, who: Acting, to: str) -> Member:
    target = member(session, manager_name(to))
    if target is None:
        raise TeamError(f"{to} is not on the team (talent team add {to})")
    if target.role == "viewer":
        raise TeamError(f"{to} is a viewer; a viewer cannot be responsible for creators")
    return target


def _may_assign(
    who: Acting, current: int | None, previous: str | None, target: Member, what: str
) -> None:
    """An admin (or the tables' owner, or on SQLite someone not on the team, as before team
    mode) assigns anything; a manager only takes unassigned ones (or their own) for
    themselves; a viewer nothing."""
    if who.is_admin or (who.role is None and who.login is None):
        return
    if who.role != "manager":
        raise NotAllowed(f"{who.name} is {who.role or 'not on the team'} and cannot assign {what}")
    if target.id != who.manager_id:
        raise NotAllowed(
            f"a manager can only take unassigned {what} for themselves; handing them to "
            "someone else is an admin's job"
        )
    if current not in (None, who.manager_id):
        raise NotAllowed(f"that one is {previous}'s; only an admin can move it to you")


def assign_creator(session: Session, who: Acting, creator_id: int, to: str) -> str | None:
    """Make `to` responsible for the creator; returns the previous manager's name."""
    from talent_tui.services import audit
    from talent_tui.services.roster import get_creator

    target = _assignee(session, who, to)
    creator = get_creator(session, creator_id)
    current = creator.manager_id
    previous = _name_of(session, current)
    _may_assign(who, current, previous, target, "creators")
    creator.manager_id = target.id
    session.add(creator)
    audit.record(
        session, who.name, "creator", creator_id, "assigned", {"manager": previous},
        {"manager": target.name},
    )  # fmt: skip
    return previous


def take_unassigned(session: Session, who: Acting, to: str) -> tuple[int, int]:
    """Make `to` responsible for every unassigned creator and affiliate (a solo manager's
    roster moving into the team's database). One history entry per row, as `assign_*`
    writes. Returns (creators, affiliates). An admin's (or the tables' owner's, or on SQLite
    anyone's not on the team) to do, or a manager's for themselves."""
    import sqlalchemy as sa

    from talent_tui.services import audit
    from talent_tui.store.models import AuditEntry

    target = _assignee(session, who, to)
    _may_assign(who, None, None, target, "creators")
    taken = []
    for table, entity in (("creators", "creator"), ("affiliates", "affiliate")):
        ids = [
            int(row[0])
            for row in fetch_all(
                session, f"SELECT id FROM {table} WHERE manager_id IS NULL ORDER BY id"
            )
        ]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            fetch_all(
                session,
                f"UPDATE {table} SET manager_id = ? WHERE id IN ({marks}) RETURNING id",
                [target.id, *chunk],
            )
        before, after = audit.to_json({"manager": None}), audit.to_json({"manager": target.name})
        now = datetime.now(UTC)
        entries = [
            {"at": now, "actor": who.name, "entity": entity, "entity_id": row_id,
             "action": "assigned", "before": before, "after": after}
            for row_id in ids
        ]  # fmt: skip
        for start in range(0, len(entries), 1000):  # the same entries audit.record writes
            session.execute(sa.insert(AuditEntry), entries[start : start + 1000])
        taken.append(len(ids))
    return taken[0], taken[1]


def assign_affiliate(session: Session, who: Acting, affiliate_id: int, to: str) -> str | None:
    from talent_tui.services import audit
    from talent_tui.store.models import Affiliate

    target = _assignee(session, who, to)
    affiliate = session.get(Affiliate, affiliate_id)
    if affiliate is None:
        raise TeamError(f"no affiliate with id {affiliate_id}")
    current = affiliate.manager_id
    previous = _name_of(session, current)
    _may_assign(who, current, previous, target, "affiliates")
    affiliate.manager_id = target.id
    session.add(affiliate)
    audit.record(
        session, who.name, "affiliate", affiliate_id, "assigned", {"manager": previous},
        {"manager": target.name},
    )  # fmt: skip
    return previous


def _name_of(source: Any, manager_id: int | None) -> str | None:
    if manager_id is None:
        return None
    found = fetch_all(source, "SELECT name FROM managers WHERE id = ?", [manager_id])
    return str(found[0][0]) if found else None


# ---- PostgreSQL roles -------------------------------------------------------------------------


def _exec(session: Session, sql: str) -> None:
    session.connection().exec_driver_sql(sql.replace("%", "%%"))


def _role_exists(session: Session, name: str) -> bool:
    return bool(fetch_all(session, "SELECT 1 FROM pg_roles WHERE rolname = ?", [name]))


def _create_role(session: Session, name: str, kind: str) -> None:
    """CREATE ROLE unless it exists; roles belong to the whole server, so another database's
    talent (or a test process) may be creating the same one at this moment."""
    if _role_exists(session, name):
        return
    _exec(
        session,
        f'DO $$ BEGIN CREATE ROLE "{name}" {kind}; '
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
    )


def grant_groups(session: Session) -> None:
    """Create the group roles when missing and grant them the tables as they are now (run
    again after a migration that adds tables: `team add` does it every time)."""
    for group in GROUP_ROLES.values():
        _create_role(session, group, "NOLOGIN")
    tables = [
        str(row[0])
        for row in fetch_all(
            session, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
    ]
    everyone = ", ".join(GROUP_ROLES.values())
    _exec(session, f"GRANT USAGE ON SCHEMA {_schema(session)} TO {everyone}")
    for table in tables:
        _exec(session, f"GRANT SELECT ON {table} TO {everyone}")
        writers = f"{GROUP_ROLES['admin']}, {GROUP_ROLES['manager']}"
        if table in APPEND_ONLY:
            _exec(session, f"GRANT INSERT ON {table} TO {writers}")
        elif table not in NOT_WRITTEN:
            _exec(session, f"GRANT INSERT, UPDATE, DELETE ON {table} TO {writers}")
    _exec(session, f"GRANT INSERT, UPDATE ON managers TO {GROUP_ROLES['admin']}")
    _exec(
        session,
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_schema(session)} TO "
        f"{GROUP_ROLES['admin']}, {GROUP_ROLES['manager']}",
    )


def _schema(session: Session) -> str:
    return str(fetch_all(session, "SELECT current_schema()")[0][0])


def _refuse_special_role(session: Session, name: str) -> None:
    """PostgreSQL's own roles, talent's group roles, superusers and the role that owns the
    tables cannot be a team member's login (row-level security does not bind them, or they
    are not a person)."""
    if name.startswith("pg_") or name in GROUP_ROLES.values():
        raise TeamError(f"{name} is a role PostgreSQL or talent keeps for itself; choose another")
    found = fetch_all(
        session,
        "SELECT rolsuper, pg_has_role(rolname, (SELECT relowner FROM pg_class"
        " WHERE oid = 'managers'::regclass), 'MEMBER') FROM pg_roles WHERE rolname = ?",
        [name],
    )
    if found and (found[0][0] or found[0][1]):
        raise TeamError(
            f"{name} is a superuser or owns talent's tables: no row-level security binds it, so "
            "it cannot be a team member; add a role of its own for the person"
        )


def provision(session: Session, name: str, role: str) -> None:
    """The login role NAME (created, or an existing one adopted) as a member of its group
    role only. An admin's role may create roles and hands out the groups (CREATEROLE, the
    groups WITH ADMIN OPTION), so an admin can run `team add/remove` in turn. The grants on
    the tables and on the database are the owner's to give: they are (re)given when the
    owner runs this."""
    _refuse_special_role(session, name)
    owner = str(fetch_all(session, "SELECT talent_team_role()")[0][0]) == "owner"
    if owner:
        grant_groups(session)
    _create_role(session, name, "LOGIN")
    _exec(
        session, f'ALTER ROLE "{name}" LOGIN {"CREATEROLE" if role == "admin" else "NOCREATEROLE"}'
    )
    for other, group in GROUP_ROLES.items():
        if other != role:
            _exec(session, f'REVOKE {group} FROM "{name}"')
    if role == "admin":
        _exec(session, f'GRANT {", ".join(GROUP_ROLES.values())} TO "{name}" WITH ADMIN OPTION')
    else:
        _exec(session, f'GRANT {GROUP_ROLES[role]} TO "{name}"')
    if owner:
        database = str(fetch_all(session, "SELECT current_database()")[0][0])
        _exec(session, f'GRANT CONNECT ON DATABASE "{database}" TO "{name}"')


def revoke(session: Session, name: str) -> None:
    """A removed member's role keeps existing (it may be used elsewhere) but loses its group
    (so every grant) in this database."""
    if not _role_exists(session, name):
        return
    for group in GROUP_ROLES.values():
        if _role_exists(session, group):
            _exec(session, f'REVOKE {group} FROM "{name}"')
    _exec(session, f'ALTER ROLE "{name}" NOCREATEROLE')
