"""The live feed: developments after a position as they are appended, as NDJSON or Server-Sent Events.

The log cannot push (SQLite has no notifications), so a feed polls the head,
cheaply, and reads a page only when the head moved.  A feed is bounded by a
count (``limit``) and a duration (``wait``), holds one of a few per-process
slots, and touches the database only for the length of one query at a time,
so that a stream never starves other requests of threads or connections.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from events.log.application import ConflictLog
from events.log.development import RecordedDevelopment
from service.api.schemas.events import DevelopmentSchema

NDJSON = "application/x-ndjson"
SSE = "text/event-stream"
MEDIA_TYPES = (NDJSON, "application/ndjson", SSE)
POLL_SECONDS = 0.25
PAGE = 200


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """Nothing new: the feed is alive and has sent everything up to ``after``."""

    after: int


@dataclass
class Follow:
    """Developments after ``after``, as they come, until ``limit`` were sent or ``wait`` seconds passed."""

    log: ConflictLog
    after: int
    limit: int
    wait: float
    heartbeat: float
    poll: float = POLL_SECONDS
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def __iter__(self) -> Iterator[RecordedDevelopment | Heartbeat]:
        deadline = self.clock() + self.wait
        after, sent, beaten = self.after, 0, float("-inf")
        while sent < self.limit:
            page = self.log.read(after=after, limit=min(PAGE, self.limit - sent)) if self.log.head() > after else []
            if page:
                yield from page
                after, sent, beaten = page[-1].position, sent + len(page), self.clock()
                continue
            now = self.clock()
            if now >= deadline:
                return
            if now - beaten >= self.heartbeat:
                yield Heartbeat(after)  # also the first thing an idle feed sends, so that headers go out
                beaten = now
            self.sleep(min(self.poll, deadline - now))


_SCHEMA = DevelopmentSchema()


def _json(development: RecordedDevelopment) -> str:
    return json.dumps(_SCHEMA.dump(development), ensure_ascii=False, separators=(",", ":"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def ndjson(items: Follow) -> Iterator[bytes]:
    """One development a line; a heartbeat is the line ``{"heartbeat": true, "after": N, "at": ...}``."""
    for item in items:
        if isinstance(item, Heartbeat):
            line = json.dumps({"heartbeat": True, "after": item.after, "at": _now()})
        else:
            line = _json(item)
        yield (line + "\n").encode()


def server_sent_events(items: Follow) -> Iterator[bytes]:
    """``id:`` is the position (EventSource resumes with ``Last-Event-ID``); heartbeats are comments."""
    yield b"retry: 2000\n\n"
    for item in items:
        if isinstance(item, Heartbeat):
            yield f": heartbeat after {item.after} at {_now()}\n\n".encode()
        else:
            yield f"id: {item.position}\nevent: development\ndata: {_json(item)}\n\n".encode()


@dataclass
class Slots:
    """How many feeds one process serves at once."""

    size: int
    _semaphore: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        self._semaphore = threading.BoundedSemaphore(self.size)

    def take(self) -> bool:
        return self._semaphore.acquire(blocking=False)

    def give_back(self) -> None:
        self._semaphore.release()
