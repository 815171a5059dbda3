"""a community's answer waits until staff mark it read

Revision ID: 8bdb490b66b4
Revises: a93b05293cb3
Create Date: 2026-11-29 19:58:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8bdb490b66b4'
down_revision = 'a93b05293cb3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clarification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_read_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('answer_read_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_clarification_answer_read_by_id_user'),
                                    'user', ['answer_read_by_id'], ['id'])
    # Answers already in: those whose concern staff have moved on from count as read; those
    # whose concern still waits as received are flagged, since nothing told staff of them.
    op.execute(
        "UPDATE clarification SET answer_read_at = CURRENT_TIMESTAMP "
        "WHERE answer IS NOT NULL AND concern_id IN "
        "(SELECT id FROM concern WHERE status <> 'received')")


def downgrade():
    with op.batch_alter_table('clarification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_clarification_answer_read_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('answer_read_by_id')
        batch_op.drop_column('answer_read_at')
