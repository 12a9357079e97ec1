"""Reading a ``DATABASE_URL``: sqlite:///path/to/file.db or postgresql://user@host:port/db.

The service's own query parameters on a PostgreSQL URL (``schema``,
``pool_size``, ``max_overflow``) are read here and removed before the URL goes to
libpq.
"""

from __future__ import annotations

from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

#: query parameters of DATABASE_URL that the service reads itself, not libpq
OWN_PARAMETERS = ("schema", "pool_size", "max_overflow")


def is_sqlite(url: str) -> bool:
    return urlsplit(url).scheme == "sqlite"


def sqlite_path(url: str) -> str:
    """The file of an sqlite:/// URL."""
    path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
    if not path or ":memory:" in path:
        raise ValueError("DATABASE_URL for SQLite must name a file: sqlite:///path/to/file.db")
    return path


def parameters(url: str) -> dict[str, str]:
    """The query parameters of a URL (last value wins)."""
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def postgres_schema(url: str) -> str:
    return parameters(url).get("schema", "public")


def libpq_url(url: str) -> str:
    """A PostgreSQL URL without the service's own query parameters, for libpq."""
    parts = urlsplit(url)
    query = [(k, v) for k, vs in parse_qs(parts.query).items() for v in vs if k not in OWN_PARAMETERS]
    # quote, not quote_plus: libpq reads "+" as a plus sign (options=-c%20statement_timeout%3D5s)
    return parts._replace(scheme="postgresql", query=urlencode(query, quote_via=quote)).geturl()
