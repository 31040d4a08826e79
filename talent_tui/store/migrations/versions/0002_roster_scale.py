"""Roster at scale: stored 30-day growth for sorting, sort indexes, trigram search index.

Revision ID: 0002_roster_scale
Revises: 0001_baseline

The search index is an SQLite FTS5 table with the trigram tokenizer over creators' names and
handles, kept in step by triggers. It is not part of the SQLModel metadata (see
db.include_object); other databases fall back to a LIKE scan.
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0002_roster_scale"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

FTS_SQL = [
    """CREATE VIRTUAL TABLE creators_fts USING fts5(
        name, tiktok_handle, content='creators', content_rowid='id', tokenize='trigram'
    )""",
    """CREATE TRIGGER creators_fts_ai AFTER INSERT ON creators BEGIN
        INSERT INTO creators_fts(rowid, name, tiktok_handle)
        VALUES (new.id, new.name, new.tiktok_handle);
    END""",
    """CREATE TRIGGER creators_fts_ad AFTER DELETE ON creators BEGIN
        INSERT INTO creators_fts(creators_fts, rowid, name, tiktok_handle)
        VALUES ('delete', old.id, old.name, old.tiktok_handle);
    END""",
    """CREATE TRIGGER creators_fts_au AFTER UPDATE OF name, tiktok_handle ON creators BEGIN
        INSERT INTO creators_fts(creators_fts, rowid, name, tiktok_handle)
        VALUES ('delete', old.id, old.name, old.tiktok_handle);
        INSERT INTO creators_fts(rowid, name, tiktok_handle)
        VALUES (new.id, new.name, new.tiktok_handle);
    END""",
    "INSERT INTO creators_fts(creators_fts) VALUES ('rebuild')",
]


def _growth(points: list[tuple[date, int]], days: int = 30) -> float | None:
    """Same rule as talent_tui.services.metrics.growth, frozen here so the migration never changes."""
    if len(points) < 2:
        return None
    last_day, last = points[-1]
    start = date.fromordinal(last_day.toordinal() - days)
    if start < points[0][0]:
        return None
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if d0 <= start <= d1:
            span = (d1 - d0).days
            base = v0 + (v1 - v0) * ((start - d0).days / span if span else 0)
            return (last - base) / base if base else None
    return None


def upgrade() -> None:
    with op.batch_alter_table("creators") as batch:
        batch.add_column(sa.Column("follower_growth_30d", sa.Float(), nullable=True))
        batch.create_index("ix_creators_follower_growth_30d", ["follower_growth_30d"])
        batch.create_index("ix_creators_engagement_rate", ["engagement_rate"])
    with op.batch_alter_table("campaigns") as batch:
        batch.create_index("ix_campaigns_creator_status", ["creator_id", "status"])
    # Short searches (one or two characters) match the start of a name through this index.
    op.execute("CREATE INDEX ix_creators_name_lower ON creators (lower(name))")

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT creator_id, captured_on, followers FROM metric_snapshots "
            "ORDER BY creator_id, captured_on"
        )
    )
    history: dict[int, list[tuple[date, int]]] = {}
    for creator_id, captured_on, followers in rows:
        day = captured_on if isinstance(captured_on, date) else date.fromisoformat(captured_on)
        history.setdefault(creator_id, []).append((day, followers))
    updates = [
        {"id": cid, "g": g} for cid, pts in history.items() if (g := _growth(pts)) is not None
    ]
    if updates:
        bind.execute(
            sa.text("UPDATE creators SET follower_growth_30d = :g WHERE id = :id"), updates
        )

    if bind.dialect.name == "sqlite":
        for statement in FTS_SQL:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("creators_fts_ai", "creators_fts_ad", "creators_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS creators_fts")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_index("ix_campaigns_creator_status")
    op.execute("DROP INDEX IF EXISTS ix_creators_name_lower")
    with op.batch_alter_table("creators") as batch:
        batch.drop_index("ix_creators_engagement_rate")
        batch.drop_index("ix_creators_follower_growth_30d")
        batch.drop_column("follower_growth_30d")
