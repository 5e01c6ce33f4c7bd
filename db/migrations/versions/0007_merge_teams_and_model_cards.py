"""merge the two migrations made side by side (teams and challenges; model cards and reviews)

Revision ID: 0007
Revises: 0006, 0006b
"""

revision = "0007"
down_revision = ("0006", "0006b")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the two parents touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
