"""A statement whose total is exactly zero is `zero`, no longer `carried`.

Revision ID: 0016_zero_statements
Revises: 0015_click_impressions

`carried` said a negative total went forward to the next statement; a 0.00 statement carries
nothing, and showing it as "carried" sent managers looking for an adjustment that does not
exist. Statements already built with a zero total are relabelled; nothing else of them
changes (no adjustment was ever made for them). The downgrade labels them `carried` again,
which is what the older talent understands.
"""

from alembic import op

revision = "0016_zero_statements"
down_revision = "0015_click_impressions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE statements SET status = 'zero' WHERE status = 'carried' AND total_minor = 0")


def downgrade() -> None:
    op.execute("UPDATE statements SET status = 'carried' WHERE status = 'zero'")
