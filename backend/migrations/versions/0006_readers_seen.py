"""people: the newest staff read of her journal a learner has been shown

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 19:00:00

A learner's home page tells her when a member of staff has read her journal, or made a copy of
it, since she last looked at "Who has read my journal" (``POST /api/me/readers/seen``).
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('readers_seen_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('readers_seen_at')
