"""Bring the database to the newest schema: ``python -m db.migrate``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from settings import database_url

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    # The ini file's parser reads % as the start of a variable: a URL-encoded password or
    # socket path (%40, %2F) must be written as %%.
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(url: str | None = None) -> None:
    """Apply every migration not yet applied."""
    command.upgrade(alembic_config(url), "head")


if __name__ == "__main__":
    upgrade()
    print(f"database ready: {database_url()}")
