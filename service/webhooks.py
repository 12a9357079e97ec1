"""Delivering webhooks from the durable outbox (``projections.outbox``): signed requests, in a thread.

A ``Deliverer`` runs in every process that writes (``serve``'s workers, unless
``WEBHOOK_DELIVERY=false``, and the projection worker): it derives the deliveries
of new developments, then sends those due, each a Standard Webhooks request signed
with the subscription's secret by the ``standardwebhooks`` package (``webhook-id``,
``webhook-timestamp``, ``webhook-signature``).  A 2xx answer delivers it; anything
else (another status, a redirect, a refused connection, a time-out) is a failure
retried with back-off.  Several deliverers share the outbox safely: claims are
leased in a committed transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL).
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

from projections.changes import Changes
from projections.outbox import Claimed, Outbox
from projections.store import ProjectionReader
from service.settings import Settings

log = logging.getLogger("conflict_status.webhooks")
USER_AGENT = "conflict-status-webhooks/1"
#: the longest wait between two looks at an outbox that keeps failing (a database gone away), in seconds
RETRY_CAP = 60.0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: the receiver must answer 2xx at the URL it gave."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def signed_headers(claimed: Claimed, moment: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt (the timestamp is the attempt's; the id and body never change)."""
    signature = Webhook(claimed.secret).sign(claimed.id, moment, claimed.payload.decode())
    return {
        "webhook-id": claimed.id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def send(claimed: Claimed, timeout: float) -> str | None:
    """POST one delivery; None when the receiver answered 2xx, else what went wrong (for ``last_error``)."""
    request = urllib.request.Request(
        claimed.url, data=claimed.payload, headers=signed_headers(claimed, datetime.now(UTC)), method="POST"
    )
    try:
        with _opener.open(request, timeout=timeout) as answer:
            status = answer.status
    except urllib.error.HTTPError as e:
        return f"the receiver answered HTTP {e.code}"
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        return f"could not reach the receiver: {reason}"
    return None if 200 <= status < 300 else f"the receiver answered HTTP {status}"


class Deliverer:
    """Enqueues and sends webhooks in a daemon thread, woken by appends and every ``webhook_poll`` seconds."""

    def __init__(self, outbox: Outbox, store: ProjectionReader, settings: Settings) -> None:
        self.outbox = outbox
        self.changes = Changes(store)
        self.settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """The log grew: look at the outbox soon."""
        self._wake.set()

    def run_once(self) -> int:
        """Enqueue what is new, then send what is due; how many were sent (delivered or not)."""
        self.outbox.enqueue(self.changes)
        sent = 0
        while not self._stop.is_set() and self.outbox.due():
            claimed = self.outbox.claim(self.settings.webhook_lease)
            if not claimed:
                break
            for delivery in claimed:
                error = send(delivery, self.settings.webhook_timeout)
                if error is None:
                    self.outbox.succeeded(delivery)
                else:
                    log.warning("webhook %s to %s failed: %s", delivery.id, delivery.url, error)
                    settings = self.settings
                    self.outbox.failed(
                        delivery, error, base=settings.webhook_backoff, pause_after=settings.webhook_pause_after
                    )
                sent += 1
        return sent

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            wait = self.settings.webhook_poll
            try:
                self.run_once()
                failures = 0
            except Exception:  # a database that went away: say so (less and less often), look again later
                failures += 1
                wait = min(RETRY_CAP, wait * 2**failures)
                if failures & (failures - 1) == 0:  # the 1st, 2nd, 4th, 8th... failure in a row
                    log.exception("webhooks: the outbox failed %d times in a row; again in %.1f s", failures, wait)
            self._wake.wait(wait)
            self._wake.clear()

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)
