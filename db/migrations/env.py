"""Alembic environment: migrates the database named by db.settings."""

from alembic import context

from db.models import Base
from db.session import get_engine

target_metadata = Base.metadata


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or None
    with get_engine(write=True, url=url).connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
