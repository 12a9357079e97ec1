"""The append-only log: an eventsourcing Application whose store keeps an index and a hash chain.

``events.log.application`` holds ``ConflictLog``; ``events.log.opening`` opens it
at a ``DATABASE_URL``; ``events.log.sqlite`` and ``events.log.postgres`` are the
store on each backend (``events.log.store`` is what both share); every reach past
the eventsourcing library's public API is in ``events.log.library``.
"""
