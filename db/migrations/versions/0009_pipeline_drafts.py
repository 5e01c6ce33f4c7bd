"""pipeline drafts: a learner's working pipeline survives a reload

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 09:00:00.000000

Written by hand. One new table, one row per learner and pipeline name (portable types:
JSON, Integer, DateTime, so PostgreSQL builds the same).
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pipeline_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('pipeline_name', sa.String(length=64), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=True),
    sa.Column('stages', sa.JSON(), nullable=False),
    sa.Column('chosen_version', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner_id', 'pipeline_name', name='uq_pipeline_draft')
    )
    with op.batch_alter_table('pipeline_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pipeline_drafts_owner_id'), ['owner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pipeline_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pipeline_drafts_owner_id'))

    op.drop_table('pipeline_drafts')
