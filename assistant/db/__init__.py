"""Storage: SQLAlchemy models, engines, units of work and Alembic migrations."""
