"""sync: no index on seq alone; a learner's changes are read through (learner_id, seq)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 03:00:00

On PostgreSQL, a pull page's statement is prepared after a few runs, and the planner may then
choose a plan for any learner at all. While one learner held most of the rows (a new service,
a home with a few learners), that plan walked the index on seq alone from the cursor and
dropped everyone else's rows: a new device's first page read every row of the table, and a
pull grew slower as the journals grew (docs/performance.md). With that index gone, a page reads
only the learner's own rows, through ``ix_<table>_learner_seq``. Nothing else read by seq
alone but the purge of old tombstones, a daily job that can scan.
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ("profiles", "goals", "learning_sessions", "contributions", "reflections", "checkins")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_seq'))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_seq'), ['seq'], unique=False)
