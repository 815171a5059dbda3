"""questions, sign-offs, answers and one translation model

A question answers several concerns (question_concern replaces concern.question_id); a
community's sign-off and its view of an answer are kept; every text a reader meets in
another language has its translations in one table, named by its kind of source and id,
with the source text it was made from. Today's English translations of concerns become the
translations of their text; what a concern asks for is marked missing.

Revision ID: 48e73f0a827d
Revises: d3b52823734e
Create Date: 2026-11-29 16:34:57.556819

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '48e73f0a827d'
down_revision = 'd3b52823734e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_setting')),
    sa.UniqueConstraint('key', name=op.f('uq_setting_key'))
    )
    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agm_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('publisher', sa.String(length=200), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['agm_id'], ['agm.id'], name=op.f('fk_source_agm_id_agm'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source'))
    )
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_agm_id'), ['agm_id'], unique=False)

    op.create_table('question_concern',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=True),
    sa.Column('excerpt_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], name=op.f('fk_question_concern_concern_id_concern'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_concern_question_id_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_concern')),
    sa.UniqueConstraint('question_id', 'concern_id', name=op.f('uq_question_concern_question_id'))
    )
    with op.batch_alter_table('question_concern', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_concern_concern_id'), ['concern_id'], unique=False)

    op.create_table('sign_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('given', 'changes_asked', name='signoffdecision', native_enum=False, length=32), nullable=False),
    sa.Column('question_version', sa.Integer(), nullable=False),
    sa.Column('translation_version', sa.Integer(), nullable=True),
    sa.Column('excerpt_version', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('comment_language', sa.String(length=8), nullable=True),
    sa.Column('channel', sa.Enum('status_page', 'phone', 'message', 'meeting', name='signoffchannel', native_enum=False, length=32), nullable=False),
    sa.Column('given_by', sa.String(length=200), nullable=True),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], name=op.f('fk_sign_off_concern_id_concern'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_sign_off_question_id_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_sign_off_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_off'))
    )
    with op.batch_alter_table('sign_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_off_concern_id'), ['concern_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_off_question_id'), ['question_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('satisfaction', sa.Enum('satisfied', 'partly', 'not_satisfied', name='satisfaction', native_enum=False, length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('comment_language', sa.String(length=8), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_feedback_answer_id_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], name=op.f('fk_feedback_concern_id_concern'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('answer_id', 'concern_id', name=op.f('uq_feedback_answer_id'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_concern_id'), ['concern_id'], unique=False)

    # Each concern's one question becomes its first link.
    op.execute(sa.text(
        "INSERT INTO question_concern (question_id, concern_id, excerpt_version) "
        "SELECT question_id, id, 1 FROM concern WHERE question_id IS NOT NULL"))

    with op.batch_alter_table('agm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_note_language', sa.String(length=8), server_default='en', nullable=False))
        batch_op.add_column(sa.Column('question_seconds', sa.Integer(), server_default='120', nullable=False))
        batch_op.add_column(sa.Column('question_process', sa.Enum('at_the_door', 'in_writing', 'online_only', name='questionprocess', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('practical_notes', sa.Text(), nullable=True))

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('given_by', sa.String(length=200), nullable=True))

    with op.batch_alter_table('clarification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_language', sa.String(length=8), server_default='en', nullable=False))

    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.add_column(sa.Column('background', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decline_reason_language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_concern_question_id'))
        batch_op.create_index(batch_op.f('ix_concern_assignee_id'), ['assignee_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_concern_question_id_question'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_concern_assignee_id_user'), 'user', ['assignee_id'], ['id'])
        batch_op.drop_column('question_id')
    # Decline reasons so far were written in English.
    op.execute(sa.text("UPDATE concern SET decline_reason_language = 'en' "
                       "WHERE decline_reason IS NOT NULL"))

    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_interpretation', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('interpret_from', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('sent_in_writing', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attention', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('text_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_index(batch_op.f('ix_question_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_question_carried_from_id_question'), 'question', ['carried_from_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_question_assignee_id_user'), 'user', ['assignee_id'], ['id'])

    with op.batch_alter_table('translation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_type', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('source_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('made_from', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reader', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('agm_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
    # Each translation names its source; a text that is not missing was made from the
    # source as it is (an older one could not be told apart).
    for kind, column, table, text, language, reader in (
            ("concern_body", "concern_id", "concern", "body", "s.language", "staff"),
            ("question", "question_id", "question", "text", "'en'", "community"),
            ("answer", "answer_id", "answer", "text", "'en'", "community")):
        op.execute(sa.text(
            f"UPDATE translation SET source_type = '{kind}', source_id = {column}, "
            f"source_language = (SELECT {language} FROM {table} s WHERE s.id = {column}), "
            f"source_text = COALESCE((SELECT s.{text} FROM {table} s WHERE s.id = {column}), ''), "
            f"made_from = CASE WHEN state = 'missing' THEN NULL ELSE "
            f"COALESCE((SELECT s.{text} FROM {table} s WHERE s.id = {column}), '') END, "
            f"reader = '{reader}' WHERE {column} IS NOT NULL"))
    with op.batch_alter_table('translation', schema=None) as batch_op:
        batch_op.alter_column('source_type', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('source_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('source_language', existing_type=sa.String(length=8), nullable=False)
        batch_op.alter_column('source_text', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('reader', existing_type=sa.String(length=32), nullable=False,
                              type_=sa.Enum('staff', 'community', 'attendee', 'public', name='reader', native_enum=False, length=32))
        batch_op.drop_constraint(batch_op.f('ck_translation_one_source'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_translation_answer_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_translation_concern_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_translation_question_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_translation_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_translation_queue', ['language', 'state'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_translation_source_type'), ['source_type', 'source_id', 'language'])
        batch_op.drop_constraint(batch_op.f('fk_translation_question_id_question'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_translation_answer_id_answer'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_translation_concern_id_concern'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_translation_agm_id_agm'), 'agm', ['agm_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_translation_assignee_id_user'), 'user', ['assignee_id'], ['id'])
        batch_op.drop_column('concern_id')
        batch_op.drop_column('answer_id')
        batch_op.drop_column('source_version')
        batch_op.drop_column('question_id')
    # What every concern in the inbox says, and asks for, waits for its English translation.
    for kind, text in (("concern_body", "body"), ("concern_wanted", "wanted")):
        op.execute(sa.text(
            "INSERT INTO translation (source_type, source_id, source_language, source_text, "
            "language, text, state, reader, updated_at, version) "
            f"SELECT '{kind}', c.id, c.language, c.{text}, 'en', '', 'missing', 'staff', "
            "CURRENT_TIMESTAMP, 1 FROM concern c "
            f"WHERE c.{text} IS NOT NULL AND c.{text} <> '' AND c.language <> 'en' "
            "AND c.status NOT IN ('withdrawn', 'quarantined') AND NOT EXISTS (SELECT 1 FROM "
            f"translation t WHERE t.source_type = '{kind}' AND t.source_id = c.id "
            "AND t.language = 'en')"))


def downgrade():
    with op.batch_alter_table('translation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_id', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('source_version', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('answer_id', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('concern_id', sa.INTEGER(), nullable=True))
    # Only the translations of a concern's text, a question and an answer had a place.
    op.execute(sa.text("DELETE FROM translation WHERE source_type NOT IN "
                       "('concern_body', 'question', 'answer')"))
    op.execute(sa.text("UPDATE translation SET concern_id = source_id WHERE source_type = 'concern_body'"))
    op.execute(sa.text("UPDATE translation SET question_id = source_id WHERE source_type = 'question'"))
    op.execute(sa.text("UPDATE translation SET answer_id = source_id WHERE source_type = 'answer'"))
    op.execute(sa.text(
        "UPDATE translation SET source_version = COALESCE((SELECT c.version FROM concern c "
        "WHERE c.id = translation.concern_id), 1)"))
    with op.batch_alter_table('translation', schema=None) as batch_op:
        batch_op.alter_column('source_version', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_translation_assignee_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_translation_agm_id_agm'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_translation_concern_id_concern'), 'concern', ['concern_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_translation_answer_id_answer'), 'answer', ['answer_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_translation_question_id_question'), 'question', ['question_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('uq_translation_source_type'), type_='unique')
        batch_op.drop_index('ix_translation_queue')
        batch_op.drop_index(batch_op.f('ix_translation_assignee_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_translation_question_id'), ['question_id', 'language'])
        batch_op.create_unique_constraint(batch_op.f('uq_translation_concern_id'), ['concern_id', 'language'])
        batch_op.create_unique_constraint(batch_op.f('uq_translation_answer_id'), ['answer_id', 'language'])
        batch_op.create_check_constraint('one_source', sa.text(
            "(CASE WHEN concern_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN question_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN answer_id IS NULL THEN 0 ELSE 1 END) = 1"))
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('review_note')
        batch_op.drop_column('due_on')
        batch_op.drop_column('agm_id')
        batch_op.drop_column('reader')
        batch_op.drop_column('made_from')
        batch_op.drop_column('source_text')
        batch_op.drop_column('source_language')
        batch_op.drop_column('source_id')
        batch_op.drop_column('source_type')

    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_question_assignee_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_question_carried_from_id_question'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_question_status'))
        batch_op.drop_index(batch_op.f('ix_question_assignee_id'))
        batch_op.drop_column('text_version')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('attention')
        batch_op.drop_column('carried_from_id')
        batch_op.drop_column('sent_in_writing')
        batch_op.drop_column('interpret_from')
        batch_op.drop_column('needs_interpretation')

    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_id', sa.INTEGER(), nullable=True))
        batch_op.drop_constraint(batch_op.f('fk_concern_assignee_id_user'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_concern_question_id_question'), 'question', ['question_id'], ['id'])
        batch_op.drop_index(batch_op.f('ix_concern_assignee_id'))
        batch_op.create_index(batch_op.f('ix_concern_question_id'), ['question_id'], unique=False)
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('decline_reason_language')
    # A concern kept one question: its first.
    op.execute(sa.text(
        "UPDATE concern SET question_id = (SELECT MIN(l.question_id) FROM question_concern l "
        "WHERE l.concern_id = concern.id)"))

    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('background')

    with op.batch_alter_table('clarification', schema=None) as batch_op:
        batch_op.drop_column('question_language')

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('given_by')

    with op.batch_alter_table('agm', schema=None) as batch_op:
        batch_op.drop_column('practical_notes')
        batch_op.drop_column('question_process')
        batch_op.drop_column('question_seconds')
        batch_op.drop_column('status_note_language')

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_concern_id'))
    op.drop_table('feedback')
    with op.batch_alter_table('sign_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_off_question_id'))
        batch_op.drop_index(batch_op.f('ix_sign_off_concern_id'))
    op.drop_table('sign_off')
    with op.batch_alter_table('question_concern', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_concern_concern_id'))
    op.drop_table('question_concern')
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_agm_id'))
    op.drop_table('source')
    op.drop_table('setting')
