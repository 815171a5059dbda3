"""attendance: friendly shareholders, a meeting's attendees, a question's speaker among them

Revision ID: f861276ded82
Revises: 8bdb490b66b4
Create Date: 2026-11-29 19:58:04.245349

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f861276ded82'
down_revision = '8bdb490b66b4'
branch_labels = None
depends_on = None


ENTRY = sa.Enum('own_share', 'proxy', 'corporate', 'online_only', 'guest', 'unknown',
                name='entry', native_enum=False, length=32)
ENTRY_STATE = sa.Enum('requested', 'appointed', 'lodged', 'confirmed', 'refused',
                      name='entrystate', native_enum=False, length=32)
HOLDING = sa.Enum('registered', 'nominee', 'fund', name='holding', native_enum=False,
                  length=32)


def upgrade():
    op.create_table('shareholder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('holding', HOLDING, nullable=False),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shareholder'))
    )
    op.create_table('shareholding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shareholder_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('shares', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'],
                            name=op.f('fk_shareholding_company_id_company')),
    sa.ForeignKeyConstraint(['shareholder_id'], ['shareholder.id'],
                            name=op.f('fk_shareholding_shareholder_id_shareholder'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shareholding')),
    sa.UniqueConstraint('shareholder_id', 'company_id',
                        name=op.f('uq_shareholding_shareholder_id'))
    )
    with op.batch_alter_table('shareholding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shareholding_company_id'), ['company_id'],
                              unique=False)

    op.create_table('attendee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agm_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('needs_interpretation', sa.Boolean(), nullable=False),
    sa.Column('may_be_named', sa.Boolean(), nullable=False),
    sa.Column('interprets', sa.String(length=100), nullable=False),
    sa.Column('entry', ENTRY, nullable=False),
    sa.Column('shareholding_id', sa.Integer(), nullable=True),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('state', ENTRY_STATE, nullable=False),
    sa.Column('online_login', sa.Boolean(), nullable=False),
    sa.Column('contact_details', sa.Text(), nullable=True),
    sa.Column('visa', sa.Text(), nullable=True),
    sa.Column('arrives_on', sa.Date(), nullable=True),
    sa.Column('leaves_on', sa.Date(), nullable=True),
    sa.Column('lodging', sa.Text(), nullable=True),
    sa.Column('travel_notes', sa.Text(), nullable=True),
    sa.Column('erased_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agm_id'], ['agm.id'], name=op.f('fk_attendee_agm_id_agm')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'],
                            name=op.f('fk_attendee_community_id_community')),
    sa.ForeignKeyConstraint(['shareholding_id'], ['shareholding.id'],
                            name=op.f('fk_attendee_shareholding_id_shareholding'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_attendee_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendee')),
    sa.UniqueConstraint('agm_id', 'user_id', name=op.f('uq_attendee_agm_id'))
    )
    with op.batch_alter_table('attendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendee_agm_id'), ['agm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendee_shareholding_id'), ['shareholding_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_attendee_user_id'), ['user_id'], unique=False)

    # The accounts assigned to a meeting, and the accounts named as a question's speaker,
    # become its attendees (their way in not yet known); a speaker then names the attendee.
    op.execute("""
        INSERT INTO attendee (agm_id, user_id, name, language, needs_interpretation,
                              may_be_named, interprets, entry, shares, state, online_login,
                              version, created_at)
        SELECT pairs.agm_id, pairs.user_id, COALESCE(u.name, 'Attendee ' || u.id), 'en',
               false, false, '', 'unknown', 0, 'requested', false, 1, CURRENT_TIMESTAMP
        FROM (SELECT agm_id, user_id FROM agm_attendee
              UNION SELECT agm_id, speaker_id FROM question WHERE speaker_id IS NOT NULL
             ) AS pairs JOIN "user" u ON u.id = pairs.user_id
    """)
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint('fk_question_speaker_id_user', type_='foreignkey')
    op.execute("""
        UPDATE question SET speaker_id = (
            SELECT a.id FROM attendee a
            WHERE a.agm_id = question.agm_id AND a.user_id = question.speaker_id)
        WHERE speaker_id IS NOT NULL
    """)
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_question_speaker_id_attendee'), 'attendee',
                                    ['speaker_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_question_speaker_id'), ['speaker_id'],
                              unique=False)
    op.drop_table('agm_attendee')


def downgrade():
    op.create_table('agm_attendee',
    sa.Column('agm_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agm_id'], ['agm.id'], name=op.f('fk_agm_attendee_agm_id_agm'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_agm_attendee_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agm_id', 'user_id', name=op.f('pk_agm_attendee'))
    )
    op.execute("INSERT INTO agm_attendee (agm_id, user_id) "
               "SELECT agm_id, user_id FROM attendee WHERE user_id IS NOT NULL")
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_speaker_id'))
        batch_op.drop_constraint('fk_question_speaker_id_attendee', type_='foreignkey')
    # A speaker without an account cannot be named by the old column: they are let go.
    op.execute("UPDATE question SET speaker_id = (SELECT a.user_id FROM attendee a "
               "WHERE a.id = question.speaker_id) WHERE speaker_id IS NOT NULL")
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_question_speaker_id_user', 'user', ['speaker_id'],
                                    ['id'])
    with op.batch_alter_table('attendee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendee_user_id'))
        batch_op.drop_index(batch_op.f('ix_attendee_shareholding_id'))
        batch_op.drop_index(batch_op.f('ix_attendee_agm_id'))
    op.drop_table('attendee')
    with op.batch_alter_table('shareholding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shareholding_company_id'))
    op.drop_table('shareholding')
    op.drop_table('shareholder')
