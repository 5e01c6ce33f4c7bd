"""pipeline versions a learner shares with their team

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 09:00:00.000000

Written by hand. One plain ALTER TABLE ADD COLUMN with a server default (false), so
SQLite does not rebuild pipeline_versions and existing versions stay unshared.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'pipeline_versions',
        sa.Column('team_shared', sa.Boolean(), nullable=False, server_default='0'),
    )


def downgrade() -> None:
    op.drop_column('pipeline_versions', 'team_shared')
