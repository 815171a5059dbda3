"""a meeting can mark its deadlines as to be confirmed

Revision ID: f2c56086c158
Revises: 48e73f0a827d
Create Date: 2026-11-29 16:35:09.440560

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2c56086c158'
down_revision = '48e73f0a827d'
branch_labels = None
depends_on = None


def upgrade():
    # Existing meetings' deadlines stand as they are: none is marked.
    with op.batch_alter_table('agm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadlines_to_be_confirmed', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('agm', schema=None) as batch_op:
        batch_op.drop_column('deadlines_to_be_confirmed')
