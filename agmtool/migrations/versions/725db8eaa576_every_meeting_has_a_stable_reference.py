"""every meeting has a stable reference

Revision ID: 725db8eaa576
Revises: f2c56086c158
Create Date: 2026-11-29 16:37:50.795144

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '725db8eaa576'
down_revision = 'f2c56086c158'
branch_labels = None
depends_on = None

# As agmtool.models.new_ref was when this migration was written.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def upgrade():
    with op.batch_alter_table('agm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ref', sa.String(length=16), nullable=True))
    # Each existing meeting gets its reference before the column becomes required.
    connection = op.get_bind()
    agm = sa.table('agm', sa.column('id', sa.Integer), sa.column('ref', sa.String))
    taken = set()
    for (agm_id,) in connection.execute(sa.select(agm.c.id)).all():
        ref = None
        while ref is None or ref in taken:
            ref = "".join(secrets.choice(ALPHABET) for _ in range(8))
        taken.add(ref)
        connection.execute(sa.update(agm).where(agm.c.id == agm_id).values(ref=ref))
    with op.batch_alter_table('agm', schema=None) as batch_op:
        batch_op.alter_column('ref', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_agm_ref'), ['ref'])


def downgrade():
    with op.batch_alter_table('agm', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_agm_ref'), type_='unique')
        batch_op.drop_column('ref')
