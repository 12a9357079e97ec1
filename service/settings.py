"""Settings: the one module that reads the environment.

Everything else is handed a ``Settings`` value.  Every variable is optional; with
none set the service runs on an SQLite file in the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from events.log.database_url import sqlite_path

DEFAULT_DATABASE_FILE = "conflict-status.db"
SIGNING_KEY_SUFFIX = ".signing-key.pem"


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    """How one service process is configured."""

    database_url: str = field(default_factory=lambda: f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}")
    #: where every read route reads (a PostgreSQL hot standby of DATABASE_URL, say); empty: DATABASE_URL
    read_database_url: str = ""
    #: seconds a read with ``min_position`` waits for the read side to reach it before answering 503
    read_wait: float = 2.0
    #: reads (GET) need a bearer token with the reader role when true
    reads_need_token: bool = False
    #: largest request body accepted, in bytes
    max_body_bytes: int = 16 * 1024 * 1024
    #: CORS origins allowed (none: CORS off)
    cors_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    #: the Ed25519 key that signs checkpoints (empty: beside the SQLite file, or in the working directory)
    signing_key_file: str = ""
    #: sign a checkpoint of the log's head every this many developments
    checkpoint_every: int = 1000
    #: seconds after an append that no checkpoint covers within which the head is signed
    checkpoint_interval: float = 3600.0
    #: the log's name in its signed checkpoints (C2SP origin line and key name): a schema-less URL
    log_origin: str = "conflict-status/log"
    #: live feeds (GET /v1/events/stream) one worker process serves at once; keep it below its threads
    stream_slots: int = 2
    #: seconds a client may stay silent while sending a body or reading an answer (slow clients free their thread)
    read_timeout: int = 30
    #: per-client rate limit, such as "100/minute" (empty: no limit); clients are told apart by token, else address
    rate_limit: str = ""
    #: where rate-limit counters live: memory:// counts in each worker process; redis://... shares them
    rate_limit_storage: str = "memory://"
    #: whether this process delivers webhooks (serve's background thread; the projection worker always does)
    webhook_delivery: bool = True
    #: seconds a receiver has to answer one webhook request
    webhook_timeout: float = 10.0
    #: seconds before the first retry of a failed webhook; each further one waits twice as long (at most an hour)
    webhook_backoff: float = 5.0
    #: failed deliveries in a row after which a subscription is paused (resume it with POST .../resume)
    webhook_pause_after: int = 10
    #: seconds between looks at the outbox when nothing was appended
    webhook_poll: float = 1.0

    def __post_init__(self) -> None:
        if not self.read_database_url:
            object.__setattr__(self, "read_database_url", self.database_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from the environment (``os.environ`` unless given)."""
        env = os.environ if environ is None else environ
        settings = cls()
        changes: dict[str, object] = {}
        if env.get("DATABASE_URL"):
            changes["database_url"] = env["DATABASE_URL"]
        writes_to = changes.get("database_url", settings.database_url)
        changes["read_database_url"] = env.get("READ_DATABASE_URL") or writes_to
        if env.get("READ_WAIT"):
            changes["read_wait"] = _seconds("READ_WAIT", env["READ_WAIT"])
        if "READS_NEED_TOKEN" in env:
            changes["reads_need_token"] = _flag("READS_NEED_TOKEN", env["READS_NEED_TOKEN"])
        if env.get("MAX_BODY_BYTES"):
            changes["max_body_bytes"] = _positive("MAX_BODY_BYTES", env["MAX_BODY_BYTES"])
        if env.get("CORS_ORIGINS"):
            changes["cors_origins"] = tuple(o.strip() for o in env["CORS_ORIGINS"].split(",") if o.strip())
        if env.get("LOG_LEVEL"):
            changes["log_level"] = env["LOG_LEVEL"].upper()
        if env.get("SIGNING_KEY_FILE"):
            changes["signing_key_file"] = env["SIGNING_KEY_FILE"]
        if env.get("RATE_LIMIT"):
            changes["rate_limit"] = _rate_limit(env["RATE_LIMIT"])
        if env.get("RATE_LIMIT_STORAGE"):
            changes["rate_limit_storage"] = env["RATE_LIMIT_STORAGE"]
        if env.get("CHECKPOINT_INTERVAL"):
            changes["checkpoint_interval"] = _duration("CHECKPOINT_INTERVAL", env["CHECKPOINT_INTERVAL"])
        if "WEBHOOK_DELIVERY" in env:
            changes["webhook_delivery"] = _flag("WEBHOOK_DELIVERY", env["WEBHOOK_DELIVERY"])
        for name in ("WEBHOOK_TIMEOUT", "WEBHOOK_BACKOFF", "WEBHOOK_POLL"):
            if env.get(name):
                changes[name.lower()] = _duration(name, env[name])
        if env.get("LOG_ORIGIN"):
            changes["log_origin"] = _origin(env["LOG_ORIGIN"])
        for name in ("CHECKPOINT_EVERY", "STREAM_SLOTS", "READ_TIMEOUT", "WEBHOOK_PAUSE_AFTER"):
            if env.get(name):
                changes[name.lower()] = _positive(name, env[name])
        settings = replace(settings, **changes)  # type: ignore[arg-type]
        for name, url in (("DATABASE_URL", settings.database_url), ("READ_DATABASE_URL", settings.read_database_url)):
            if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
                raise SettingsError(f"{name} must start with sqlite:/// or postgresql://")
        return settings

    @property
    def webhook_lease(self) -> float:
        """Seconds a claimed delivery is leased: past the request's time-out, so only a dead deliverer loses it."""
        return 2 * self.webhook_timeout + 1

    @property
    def reads_elsewhere(self) -> bool:
        """Whether reads go to another database than writes (a standby)."""
        return self.read_database_url != self.database_url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def signing_key_path(self) -> Path:
        """SIGNING_KEY_FILE, else ``<database file>.signing-key.pem``, else one in the working directory."""
        if self.signing_key_file:
            return Path(self.signing_key_file)
        if self.is_sqlite:
            return Path(sqlite_path(self.database_url) + SIGNING_KEY_SUFFIX)
        return Path.cwd() / (DEFAULT_DATABASE_FILE + SIGNING_KEY_SUFFIX)


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "y", "on"):
        return True
    if lowered in ("0", "false", "no", "n", "off", ""):
        return False
    raise SettingsError(f"{name} must be true or false, not '{value}'")


def _rate_limit(value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise SettingsError(f"RATE_LIMIT must read like 100/minute or 10/second;1000/hour, not '{value}'") from None
    return value.strip()


def _seconds(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not '{value}'") from None
    if not 0 <= number <= 60:
        raise SettingsError(f"{name} must be between 0 and 60 seconds, not {value}")
    return number


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(name: str, value: str) -> float:
    """Seconds from ``3600``, ``90s``, ``30m``, ``1h`` or ``1d``."""
    text = value.strip().lower()
    unit = _UNITS.get(text[-1:], 0)
    try:
        seconds = float(text[:-1] if unit else text) * (unit or 1)
    except ValueError:
        raise SettingsError(f"{name} must be seconds or a duration such as 90s, 30m, 1h, not '{value}'") from None
    if not seconds > 0:
        raise SettingsError(f"{name} must be positive, not '{value}'")
    return seconds


def _origin(value: str) -> str:
    """A C2SP origin that can also be a key name: no white space, no plus sign."""
    origin = value.strip()
    if not origin or "+" in origin or any(c.isspace() or ord(c) < 32 for c in origin):
        raise SettingsError(
            f"LOG_ORIGIN must be a schema-less URL without spaces or '+', such as news.example/log, not '{value}'"
        )
    return origin


def _positive(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not '{value}'") from None
    if number <= 0:
        raise SettingsError(f"{name} must be positive, not {number}")
    return number
