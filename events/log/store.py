"""The log's own tables beside the events, as one store for both backends.

``LogStore`` is what the log's application recorder is, besides the library's
recorder: the index (``IndexQueries``), the hash chain's write path and reads,
the Merkle tree over the chain (``TreeStore``) and the signed checkpoints.
``events.log.sqlite`` and ``events.log.postgres`` give it a database.

``append_links`` runs inside the transaction that inserts events, after the
insert, while the recorder holds the log's write lock (SQLite's single writer;
PostgreSQL's ``LOCK TABLE ... IN EXCLUSIVE MODE``): the previous link and the
tree's size it reads are the newest committed ones, and its links and tree rows
commit or roll back with the events.
The chain's reads stream the stored columns in pages and never decode an event.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter
from typing import Any

from eventsourcing.persistence import StoredEvent

from events.log.chain import GENESIS, Joined, Link, StoredRow, chain_entries, entry_id
from events.log.index import IndexQueries
from events.log.recent_links import RecentLinks
from events.log.tree import TreeRows, TreeStore

PAGE = 5000


def windows(stop: int, page: int) -> Iterator[tuple[int, int]]:
    """Position windows ``(low, high]`` of ``page`` positions from 0 up to ``stop``.

    A window holds at most ``page`` rows whatever the gaps between positions,
    and reads as a bounded index range on both backends.
    """
    for low in range(0, stop, page):
        yield low, min(low + page, stop)


def in_order(rows: list[Sequence[Any]]) -> list[Sequence[Any]]:
    """Rows of one window by their first column (the position): sorting a window costs less here than in SQL."""
    rows.sort(key=itemgetter(0))
    return rows


class LogStore(IndexQueries, TreeStore):
    """The index, the chain and the checkpoints of the log, next to its events (see the module's docstring)."""

    prefix: str
    events_table: str
    position_column: str
    param = "?"
    #: links of this process's latest committed appends (set by the recorders)
    recent_links: RecentLinks

    # provided by the backends
    def _tuples(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        """Rows of one read, as sequences."""
        raise NotImplementedError

    def _write(self, sql: str, params: Sequence[Any]) -> int:
        """Run one write in its own transaction; the number of rows it changed."""
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self.param)

    # -- the write path -------------------------------------------------------------------

    def append_links(self, cursor: Any, stored_events: Sequence[StoredEvent], positions: Sequence[int]) -> list[Link]:
        """Chain newly inserted events and add them to the tree, in the inserting transaction; the new links.

        The write lock is held: the chain's head and the tree's size read here
        are the newest committed ones.
        """
        links, tree = self.chained(cursor, self.read_head(cursor), stored_events, positions)
        if links:
            self._insert_links(cursor, links)
        self._insert_tree(cursor, tree)
        self.recent_links.stage(links, tree.frontier)
        return links

    def chained(
        self, cursor: Any, head: Any, stored_events: Sequence[StoredEvent], positions: Sequence[int]
    ) -> tuple[list[Link], TreeRows]:
        """The links and tree rows of newly inserted events, after the chain's head (``head_sql``).

        Without a chain yet, the events stored before it existed are chained
        first (``_adopt_unchained``).
        """
        rows = sorted(
            (
                StoredRow(position, entry_id(s.originator_id), s.originator_version, s.topic, s.state)
                for s, position in zip(stored_events, positions, strict=True)
            ),
            key=lambda r: r.position,
        )
        if not rows:
            return [], TreeRows()
        adopted: list[tuple[int, bytes]] = []
        prev = head["hash"]
        if prev is None:
            prev, adopted = self._adopt_unchained(cursor, below=rows[0].position)
        links, leaves = chain_entries(rows, prev)
        new = [*adopted, *zip((r.position for r in rows), leaves, strict=True)]
        return links, self._grow(cursor, head, new)

    def _insert_links(self, cursor: Any, links: Sequence[Link]) -> None:
        cursor.executemany(
            self._sql(f"INSERT INTO {self._table('event_chain')} (position, id, hash, prev_hash) VALUES (?,?,?,?)"),
            [(k.position, k.id, k.hash, k.prev_hash) for k in links],
        )

    def _adopt_unchained(self, cursor: Any, below: int) -> tuple[str, list[tuple[int, bytes]]]:
        """Chain the events stored before the chain existed (positions below ``below``).

        Runs only when the chain table is empty, inside the first insert that
        finds it so: a chain that exists is never extended or repaired, so that
        ``verify`` reports whatever happened to it.  Returns the last hash and
        the adopted entries' (position, leaf hash), for the tree.
        """
        prev, adopted = GENESIS, list[tuple[int, bytes]]()
        sql = self._sql(
            f"SELECT {self.position_column} AS position, originator_id, originator_version, topic, state "
            f"FROM {self._table(self.events_table)} WHERE {self.position_column} > ? AND {self.position_column} <= ?"
        )
        for low, high in windows(below - 1, PAGE):
            cursor.execute(sql, [low, high])
            page = [
                StoredRow(
                    r["position"],
                    entry_id(self._originator(r["originator_id"])),
                    r["originator_version"],
                    r["topic"],
                    bytes(r["state"]),
                )
                for r in sorted(cursor.fetchall(), key=lambda r: r["position"])
            ]
            if page:
                links, leaves = chain_entries(page, prev)
                self._insert_links(cursor, links)
                prev = links[-1].hash
                adopted += zip((r.position for r in page), leaves, strict=True)
        return prev, adopted

    # -- reading the chain ----------------------------------------------------------------

    def chain_head(self) -> Link | None:
        """The newest link (None for an empty log)."""
        rows = self._tuples(
            f"SELECT position, id, hash, prev_hash FROM {self._table('event_chain')} ORDER BY position DESC LIMIT 1", []
        )
        return Link(*rows[0]) if rows else None

    def links_between(self, first: int, last: int) -> dict[int, Link]:
        """Links of the positions from ``first`` to ``last`` (inclusive), by position."""
        rows = self._tuples(
            f"SELECT position, id, hash, prev_hash FROM {self._table('event_chain')} "
            "WHERE position >= ? AND position <= ?",
            [first, last],
        )
        return {r[0]: Link(*r) for r in rows}

    def walk_bound(self) -> int:
        """The last position a verification walks to: the newest event or link, read in that order.

        Every event and link at or below it is committed (inserts commit in
        position order), so pages read later agree with each other.
        """
        events = self._tuples(f"SELECT MAX({self.position_column}) FROM {self._table(self.events_table)}", [])
        links = self._tuples(f"SELECT MAX(position) FROM {self._table('event_chain')}", [])
        return max(events[0][0] or 0, links[0][0] or 0)

    def stream_rows(self, stop: int, page: int = PAGE) -> Iterator[StoredRow]:
        """Stored events up to ``stop``, in position order, a window of ``page`` positions at a time, undecoded."""
        sql = (
            f"SELECT {self.position_column}, originator_id, originator_version, topic, state "
            f"FROM {self._table(self.events_table)} WHERE {self.position_column} > ? AND {self.position_column} <= ?"
        )
        for low, high in windows(stop, page):
            for position, originator, version, topic, state in in_order(self._tuples(sql, [low, high])):
                yield StoredRow(position, entry_id(self._originator(originator)), version, topic, bytes(state))

    def stream_joined(self, stop: int, page: int = PAGE) -> Iterator[Joined]:
        """Stored events up to ``stop`` with their links (None where there is none), in position order.

        One query a page and plain tuples: this is what a verification reads
        when nothing is wrong, so it is kept as lean as the database allows.
        Pages are windows of positions (``windows``), never ``LIMIT`` after a
        range to the end: PostgreSQL, whose statistics of a freshly written
        log are missing or stale, read and sorted every event from the page to
        ``stop`` for each page of such a query, quadratic in the log's length
        (21,000 developments/s at 100,000, against SQLite's 134,000).  A
        window is put in order here (``in_order``): PostgreSQL's sort of a
        page of states spilled to disk past its ``work_mem``.
        """
        position = self.position_column
        sql = (
            f"SELECT e.{position}, {self._id_text('e.originator_id')}, e.originator_version, e.topic, e.state, "
            "c.id, c.hash, c.prev_hash "
            f"FROM {self._table(self.events_table)} e LEFT JOIN {self._table('event_chain')} c "
            f"ON c.position = e.{position} AND c.position > ? AND c.position <= ? "  # so each page seeks, not scans
            f"WHERE e.{position} > ? AND e.{position} <= ?"
        )

        def fetch(window: tuple[int, int]) -> list[Sequence[Any]]:
            return in_order(self._tuples(sql, [*window, *window]))

        pages = iter(windows(stop, page))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-pages") as reader:
            ahead = reader.submit(fetch, next(pages)) if stop > 0 else None  # the next page is read while this
            while ahead is not None:  # one is hashed
                rows = ahead.result()
                window = next(pages, None)
                ahead = reader.submit(fetch, window) if window is not None else None
                yield from rows  # type: ignore[misc]

    def _id_text(self, column: str) -> str:
        """SQL giving a stored originator id as the chain names it (``entry_id``)."""
        return column

    def stream_links(self, stop: int, page: int = PAGE) -> Iterator[Link]:
        """Links up to ``stop``, in position order, a window of ``page`` positions at a time."""
        sql = (
            f"SELECT position, id, hash, prev_hash FROM {self._table('event_chain')} "
            "WHERE position > ? AND position <= ?"
        )
        for low, high in windows(stop, page):
            for row in in_order(self._tuples(sql, [low, high])):
                yield Link(*row)

    def link_position(self, ident: str) -> int | None:
        rows = self._tuples(f"SELECT position FROM {self._table('event_chain')} WHERE id = ? LIMIT 1", [ident])
        return int(rows[0][0]) if rows else None

    def stored_position(self, ident: str) -> int | None:
        rows = self._tuples(
            f"SELECT {self.position_column} FROM {self._table(self.events_table)} WHERE originator_id = ? LIMIT 1",
            [self._stored_id(ident)],
        )
        return int(rows[0][0]) if rows else None

    def _stored_id(self, ident: str) -> Any:
        return ident

    # -- checkpoints ----------------------------------------------------------------------

    _CHECKPOINT_COLUMNS = "position, hash, signed_at, key_id, public_key, signature"

    def insert_checkpoint(self, values: Sequence[Any], cursor: Any | None = None) -> bool:
        """Store a checkpoint's columns (with ``cursor``'s transaction, or one of its own).

        False when that key already signed that position.
        """
        sql = (
            f"INSERT INTO {self._table('signed_checkpoints')} ({self._CHECKPOINT_COLUMNS}) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT DO NOTHING"
        )
        if cursor is None:
            return self._write(sql, list(values)) > 0
        cursor.execute(self._sql(sql), list(values))
        return self._rowcount(cursor) > 0

    def checkpoint_rows(
        self, *, after: int = -1, limit: int | None = None, position: int | None = None, key_id: str | None = None
    ) -> list[Sequence[Any]]:
        """Checkpoint columns in position (then signing) order, optionally one position's or one key's."""
        sql = f"SELECT {self._CHECKPOINT_COLUMNS} FROM {self._table('signed_checkpoints')} WHERE position > ?"
        params: list[Any] = [after]
        if position is not None:
            sql += " AND position = ?"
            params.append(position)
        if key_id is not None:
            sql += " AND key_id = ?"
            params.append(key_id)
        sql += " ORDER BY position, signed_at"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self._tuples(sql, params)

    def latest_checkpoint_row(self) -> Sequence[Any] | None:
        rows = self._tuples(
            f"SELECT {self._CHECKPOINT_COLUMNS} FROM {self._table('signed_checkpoints')} "
            "ORDER BY position DESC, signed_at DESC LIMIT 1",
            [],
        )
        return rows[0] if rows else None

    def has_chain(self) -> bool:
        """Whether the database has the chain and checkpoint tables (a log from before them does not)."""
        raise NotImplementedError
