"""the translation queue reads its counts and pages from indexes

The queue's counts come from an index on (language, source_language, state) without
reading the rows, and its pages in the order of one on (due_on, id); the index on
(language, state) served nothing the new ones do not.

Revision ID: b5363f8abec5
Revises: 725db8eaa576
Create Date: 2026-11-29 17:29:01.340549

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b5363f8abec5'
down_revision = '725db8eaa576'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_translation_queue', table_name='translation')
    op.create_index('ix_translation_waiting', 'translation',
                    ['language', 'source_language', 'state'])
    op.create_index('ix_translation_due', 'translation', ['due_on', 'id'])


def downgrade():
    op.drop_index('ix_translation_due', table_name='translation')
    op.drop_index('ix_translation_waiting', table_name='translation')
    op.create_index('ix_translation_queue', 'translation', ['language', 'state'])
