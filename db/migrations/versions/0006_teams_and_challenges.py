"""teams and challenges

Revision ID: 0006
Revises: 0005, 0005b
Create Date: 2026-11-27 08:00:00.000000

Written by hand. Merges the two 0005 heads. A sibling, 0006b, follows the same parents;
db/migrate.py upgrades to "heads", so both apply. The three new columns on runs are plain
ALTER TABLE ADD COLUMN (no foreign key), so SQLite does not rebuild runs.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = ('0005', '0005b')
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('class_team_settings',
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('learners_form_teams', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('class_id')
    )

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('join_code', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('class_id', 'name', name='uq_team_class_name'),
    sa.UniqueConstraint('join_code')
    )
    op.create_index(op.f('ix_teams_class_id'), 'teams', ['class_id'], unique=False)

    op.create_table('team_members',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'learner_id'),
    sa.UniqueConstraint('class_id', 'learner_id', name='uq_team_member_class')
    )
    op.create_index(
        op.f('ix_team_members_learner_id'), 'team_members', ['learner_id'], unique=False
    )

    op.create_table('challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('dataset', sa.String(length=32), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('budget_per', sa.String(length=8), nullable=False),
    sa.Column('run_budget', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.Column('opened_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_challenges_class_id'), 'challenges', ['class_id'], unique=False)

    op.create_table('challenge_scores',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('held_out_rows', sa.Integer(), nullable=False),
    sa.Column('scored_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id')
    )
    op.create_index(
        op.f('ix_challenge_scores_challenge_id'), 'challenge_scores', ['challenge_id'], unique=False
    )

    # Plain ALTER TABLE on runs: no batch mode, no foreign keys (see 0004's downgrade).
    op.add_column('runs', sa.Column('forked_from', sa.Integer(), nullable=True))
    op.add_column(
        'runs', sa.Column('team_shared', sa.Boolean(), nullable=False, server_default='0')
    )
    op.add_column('runs', sa.Column('challenge_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_runs_forked_from'), 'runs', ['forked_from'], unique=False)
    op.create_index(op.f('ix_runs_challenge_id'), 'runs', ['challenge_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_runs_challenge_id'), table_name='runs')
    op.drop_index(op.f('ix_runs_forked_from'), table_name='runs')
    op.drop_column('runs', 'challenge_id')
    op.drop_column('runs', 'team_shared')
    op.drop_column('runs', 'forked_from')

    op.drop_index(op.f('ix_challenge_scores_challenge_id'), table_name='challenge_scores')
    op.drop_table('challenge_scores')
    op.drop_index(op.f('ix_challenges_class_id'), table_name='challenges')
    op.drop_table('challenges')
    op.drop_index(op.f('ix_team_members_learner_id'), table_name='team_members')
    op.drop_table('team_members')
    op.drop_index(op.f('ix_teams_class_id'), table_name='teams')
    op.drop_table('teams')
    op.drop_table('class_team_settings')
