"""Opening the log at a ``DATABASE_URL``: the eventsourcing environment for each backend."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from eventsourcing.utils import get_topic

from events.log.application import ConflictLog
from events.log.database_access import create_schema
from events.log.database_url import parameters, sqlite_path
from events.log.postgres import PostgresLogStore
from events.log.sqlite import SQLiteLogStore


def log_environment(database_url: str, *, create_tables: bool = True) -> dict[str, str]:
    """The eventsourcing environment for a ``DATABASE_URL`` (sqlite:/// or postgresql://)."""
    parts = urlsplit(database_url)
    create = "y" if create_tables else "n"
    if parts.scheme == "sqlite":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": sqlite_path(database_url),
            "SQLITE_LOCK_TIMEOUT": "30",
            "CREATE_TABLE": create,
            "APPLICATION_RECORDER_TOPIC": get_topic(SQLiteLogStore),
        }
    if parts.scheme in ("postgres", "postgresql"):
        query = parameters(database_url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": query.get("schema", "public"),
            "POSTGRES_POOL_SIZE": query.get("pool_size", "4"),
            "POSTGRES_MAX_OVERFLOW": query.get("max_overflow", "4"),
            "POSTGRES_LOCK_TIMEOUT": "30",
            "CREATE_TABLE": create,
            "APPLICATION_RECORDER_TOPIC": get_topic(PostgresLogStore),
        }
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not '{parts.scheme}:'")


def open_log(database_url: str, *, create_tables: bool = True) -> ConflictLog:
    """Open the log at ``database_url``; with ``create_tables``, its tables (and schema) are made when missing."""
    if create_tables:
        create_schema(database_url)
    return ConflictLog(log_environment(database_url, create_tables=create_tables))
