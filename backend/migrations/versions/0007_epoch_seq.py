"""sync: the seq each epoch began at

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 03:10:00

A pull from the start answers the highest seq the restored database held when its epoch
began (``epoch_seq``, docs/sync-protocol.md, "Pull"): a device comparing what it held before a
restore with what the server sends tells the backup's versions from the changes made since
without trusting the server's clock ("What a restore lost, sent again"). An existing database
is in its first epoch or was restored before this column: 0, which tells a device nothing.
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('epoch_seq', sa.BigInteger(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('sync_state', schema=None) as batch_op:
        batch_op.drop_column('epoch_seq')
