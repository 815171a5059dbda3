"""packs record their builds and learn of a change from one row

Revision ID: 400015520db0
Revises: f861276ded82
Create Date: 2026-11-29 19:57:16.395678

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '400015520db0'
down_revision = 'f861276ded82'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_state'))
    )
    # The one row; the first change would also create it (agmtool.generations.raise_).
    op.execute(sa.text("INSERT INTO document_state (id, generation) VALUES (1, 0)"))
    op.create_table('pack_build',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agm_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('variant', sa.String(length=32), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('draft', sa.Boolean(), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.Column('built_by_id', sa.Integer(), nullable=True),
    sa.Column('downloads', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agm_id'], ['agm.id'], name=op.f('fk_pack_build_agm_id_agm'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['built_by_id'], ['user.id'], name=op.f('fk_pack_build_built_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_build')),
    sa.UniqueConstraint('digest', name=op.f('uq_pack_build_digest'))
    )
    with op.batch_alter_table('pack_build', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pack_build_agm_id'), ['agm_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pack_build', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_build_agm_id'))
    op.drop_table('pack_build')
    op.drop_table('document_state')
