"""final tests: which run a learner chose to measure on the test set, and when

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:00:00.000000

Written by hand. One new table, one row per learner and run tested (portable types:
Integer, String, DateTime, so PostgreSQL builds the same).
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('final_tests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=64), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner_id', 'run_id', name='uq_final_test_run')
    )
    with op.batch_alter_table('final_tests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_final_tests_owner_id'), ['owner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('final_tests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_final_tests_owner_id'))

    op.drop_table('final_tests')
