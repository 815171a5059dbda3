"""a translation memory and a glossary

The memory keeps the segments of approved translations and of imported TMX files; on
PostgreSQL its candidates come from a trigram index (pg_trgm, GiST) over the first 2,048
characters of each original, per language pair and length (btree_gist puts the pair and the
word count in the same index). SQLite has neither extension and scans in the application.
The glossary keeps, per language pair, the names never translated and the terms translated
one way. Approved translations reach the memory through `flask translations rebuild-memory`.

Revision ID: a93b05293cb3
Revises: b496c49a4b32
Create Date: 2026-11-29 17:44:48.863694

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a93b05293cb3'
down_revision = 'b496c49a4b32'
branch_labels = None
depends_on = None

# Named in agmtool/migrations/env.py too: autogenerate leaves this PostgreSQL-only index be.
TRIGRAM_INDEX = 'ix_memory_segment_trigram'


def upgrade():
    op.create_table('glossary_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_language', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.Enum('keep', 'translate', name='termkind', native_enum=False, length=32), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('term_key', sa.String(length=200), nullable=False),
    sa.Column('rendering', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_term')),
    sa.UniqueConstraint('source_language', 'language', 'term_key', name='uq_glossary_term_pair_term')
    )
    op.create_table('memory_segment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_language', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('target_text', sa.Text(), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('translation_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['translation_id'], ['translation.id'], name=op.f('fk_memory_segment_translation_id_translation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memory_segment')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('memory_segment', schema=None) as batch_op:
        batch_op.create_index('ix_memory_segment_pair', ['source_language', 'language', 'word_count'], unique=False)
        batch_op.create_index(batch_op.f('ix_memory_segment_translation_id'), ['translation_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
        # A signature of 64 bytes rather than 12: originals of a sentence or more have too
        # many trigrams for 12 bytes to tell them apart (half the index pages read at 100k).
        # The operator class is named with the schema the extension lives in: a database
        # that had it already may keep it outside this connection's search path.
        schema = op.get_bind().execute(sa.text(
            "SELECT extnamespace::regnamespace::text FROM pg_extension "
            "WHERE extname = 'pg_trgm'")).scalar_one()
        op.execute(
            f'CREATE INDEX {TRIGRAM_INDEX} ON memory_segment USING gist '
            f'(source_language, language, word_count, '
            f'("left"(source_text, 2048)) {schema}.gist_trgm_ops(siglen=64))')


def downgrade():
    # The extensions stay: other objects in this database may use them.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP INDEX IF EXISTS {TRIGRAM_INDEX}')
    with op.batch_alter_table('memory_segment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memory_segment_translation_id'))
        batch_op.drop_index('ix_memory_segment_pair')

    op.drop_table('memory_segment')
    op.drop_table('glossary_term')
