"""PostgreSQL keeps `creators.open_deals` exact, as SQLite's triggers of 0004 do.

Revision ID: 0008_pg_open_deals
Revises: 0007_bigints

0004_roster_sorts added the stored count of a creator's open campaigns and, on SQLite only,
the triggers that keep it exact; on PostgreSQL the column stayed at what the migration filled
in, so the roster's "open deals" sort and figure went stale with every new or moved campaign.
This adds one trigger function on `campaigns` (after INSERT, DELETE, and UPDATE OF status,
creator_id) with the same conditions as SQLite's three triggers, and recounts every creator
once (a database used before this migration may have drifted).

Under concurrency: the function first locks the creator's row (SELECT … FOR UPDATE), and only
then counts, in a statement of its own; at READ COMMITTED that statement sees every campaign
committed by whoever held the lock before, so two transactions adding campaigns for one creator
at once cannot both write a count that misses the other's.

The open statuses are frozen here as text, as in 0004 (tests/test_roster_sorts.py pins them).
On SQLite this migration does nothing.
"""

from alembic import op

revision = "0008_pg_open_deals"
down_revision = "0007_bigints"
branch_labels = None
depends_on = None

OPEN = "('offer_received', 'reviewing', 'negotiating', 'accepted', 'in_production')"

FUNCTION = f"""
CREATE FUNCTION campaigns_open_deals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who bigint;
BEGIN
    FOR who IN
        SELECT DISTINCT x FROM unnest(ARRAY[
            CASE WHEN TG_OP <> 'INSERT' AND (
                TG_OP = 'DELETE' AND OLD.status IN {OPEN}
                OR TG_OP = 'UPDATE' AND (
                    OLD.creator_id IS DISTINCT FROM NEW.creator_id
                    OR (OLD.status IN {OPEN}) IS DISTINCT FROM (NEW.status IN {OPEN})))
                THEN OLD.creator_id END,
            CASE WHEN TG_OP <> 'DELETE' AND (
                TG_OP = 'INSERT' AND NEW.status IN {OPEN}
                OR TG_OP = 'UPDATE' AND (
                    OLD.creator_id IS DISTINCT FROM NEW.creator_id
                    OR (OLD.status IN {OPEN}) IS DISTINCT FROM (NEW.status IN {OPEN})))
                THEN NEW.creator_id END
        ]) AS x WHERE x IS NOT NULL ORDER BY x
    LOOP
        PERFORM 1 FROM creators WHERE id = who FOR UPDATE;
        UPDATE creators SET open_deals = (
            SELECT count(*) FROM campaigns
            WHERE campaigns.creator_id = who AND campaigns.status IN {OPEN}
        ) WHERE id = who;
    END LOOP;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute(
        "CREATE TRIGGER campaigns_open_deals AFTER INSERT OR DELETE OR UPDATE OF status, "
        "creator_id ON campaigns FOR EACH ROW EXECUTE FUNCTION campaigns_open_deals()"
    )
    op.execute(
        f"""UPDATE creators SET open_deals = (
            SELECT count(*) FROM campaigns
            WHERE campaigns.creator_id = creators.id AND campaigns.status IN {OPEN}
        )"""
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS campaigns_open_deals ON campaigns")
    op.execute("DROP FUNCTION IF EXISTS campaigns_open_deals()")
