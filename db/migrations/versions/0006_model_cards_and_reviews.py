"""model cards and peer reviews

Revision ID: 0006b
Revises: 0005, 0005b
Create Date: 2026-11-27 07:30:00.000000

Written by hand. A sibling of 0006 (teams and challenges), which follows the same two
heads; db/migrate.py upgrades to "heads", so both apply.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006b'
down_revision = ('0005', '0005b')
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('model_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('training_data', sa.Text(), nullable=False),
    sa.Column('poorly_served', sa.Text(), nullable=False),
    sa.Column('group_comment', sa.Text(), nullable=False),
    sa.Column('limits', sa.Text(), nullable=False),
    sa.Column('plain_summary', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('shared_with_team', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner_id', 'run_id', name='uq_model_card_owner_run')
    )
    with op.batch_alter_table('model_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_cards_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_model_cards_run_id'), ['run_id'], unique=False)

    op.create_table('peer_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('clarity', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.Integer(), nullable=False),
    sa.Column('next_step', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reviewer_id', 'target_kind', 'target_id', name='uq_peer_review_target')
    )
    with op.batch_alter_table('peer_reviews', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_peer_reviews_reviewer_id'), ['reviewer_id'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_peer_reviews_target_id'), ['target_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('peer_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_reviews_target_id'))
        batch_op.drop_index(batch_op.f('ix_peer_reviews_reviewer_id'))
    op.drop_table('peer_reviews')

    with op.batch_alter_table('model_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_cards_run_id'))
        batch_op.drop_index(batch_op.f('ix_model_cards_owner_id'))
    op.drop_table('model_cards')
