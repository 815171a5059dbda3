"""feeds learn of a change from one row and keep each meeting's events

Revision ID: b496c49a4b32
Revises: b5363f8abec5
Create Date: 2026-11-29 16:28:03.119517

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b496c49a4b32'
down_revision = 'b5363f8abec5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_state'))
    )
    op.create_table('feed_event',
    sa.Column('agm_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['agm_id'], ['agm.id'], name=op.f('fk_feed_event_agm_id_agm'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agm_id', 'variant', name=op.f('pk_feed_event'))
    )
    # The one row; the first change would also create it (agms.raise_calendar_generation).
    op.execute(sa.text("INSERT INTO calendar_state (id, generation) VALUES (1, 0)"))


def downgrade():
    op.drop_table('feed_event')
    op.drop_table('calendar_state')
