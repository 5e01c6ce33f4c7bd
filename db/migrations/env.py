"""Alembic environment: migrates the database named by settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import context
from optuna.storages._rdb.models import BaseModel as OptunaBase

from db.models import Base
from db.session import get_engine

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

target_metadata = Base.metadata


def include_name(
    name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames
) -> bool:
    """Leave Optuna's own tables (hyperparameter studies) out of autogenerate's comparison."""
    table = name if type_ == "table" else parent_names.get("table_name")
    return table not in OptunaBase.metadata.tables


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or None
    with get_engine(write=True, url=url).connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
