"""sync: each journal record keeps its wire JSON, written with the record, for pull pages

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:10:00

A pull page joins these texts instead of decoding and encoding every record again. Rows written
before this revision have none (NULL): a pull builds theirs from the columns, as before.
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TABLES = ("profiles", "goals", "learning_sessions", "contributions", "reflections", "checkins")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('wire', sa.Text(), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('wire')
