"""Do the Alembic migrations build exactly the schema the models describe, in one line?"""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory

from db.migrate import alembic_config, upgrade


def test_the_migrations_form_one_line_of_history() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1  # two migrations made side by side need a merge


def test_a_migrated_database_matches_the_models(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    command.check(alembic_config(url))  # raises if autogenerate would change anything


def test_every_migration_can_be_undone_and_redone(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    command.check(alembic_config(url))
