"""Database layer: SQLAlchemy models, sessions and Alembic migrations."""
