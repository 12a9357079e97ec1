"""The Merkle tree's tables beside the chain, written in the append transaction, and their reads.

What is stored (``table_statements``):

- ``merkle_leaves (leaf, position, hash)``: leaf *i*, the position of the
  development it holds, and its RFC 9162 leaf hash;
- ``merkle_nodes (level, idx, hash)``: the root of every complete perfect
  subtree above the leaves (``events.log.merkle``), written once, by the append
  that completes it: an append of k leaves writes k leaves and about k nodes,
  reading only the tree's frontier (at most one node a level, kept in memory
  by the process that appended last, read by key otherwise);
- ``signed_notes``: the signed tree heads (``events.audit.signing``).

A proof or a root reads O(log n) rows by primary key.  A database written
before the tree existed gets its tree in the transaction of the first append
that finds the tree behind the chain (or by ``build_tree``, which
``prepare_database`` runs before a service starts), built from the chain's own
links: ``_grow`` adds every link the tree lacks before the new ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from events.log.chain import entry_bytes
from events.log.merkle import Frontier, Node, leaf_hash, perfect_nodes
from events.log.recent_links import RecentLinks

#: positions read per query when the tree is built from the chain
WINDOW = 5000


class TreeDamaged(Exception):
    """The stored tree lacks a node its size implies: it was edited outside the log."""


def table_statements(prefix: str, serial_key: str, blob: str) -> list[str]:
    """CREATE statements of the tree and signed-note tables; ``prefix`` qualifies names."""
    return [
        f"CREATE TABLE IF NOT EXISTS {prefix}merkle_leaves ("
        f"leaf {serial_key} PRIMARY KEY, position {serial_key} NOT NULL UNIQUE, hash {blob} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {prefix}merkle_nodes ("
        f"level INTEGER NOT NULL, idx {serial_key} NOT NULL, hash {blob} NOT NULL, PRIMARY KEY (level, idx))",
        f"CREATE TABLE IF NOT EXISTS {prefix}signed_notes ("
        f"tree_size {serial_key} PRIMARY KEY, position {serial_key} NOT NULL, root TEXT NOT NULL, "
        "signed_at TEXT NOT NULL, key_id TEXT NOT NULL, vkey TEXT NOT NULL, note TEXT NOT NULL)",
    ]


@dataclass
class TreeRows:
    """What an append adds to the tree: leaf rows (leaf, position, hash), node rows (level, idx, hash).

    ``frontier`` is the tree's frontier once they are written.
    """

    leaves: list[tuple[int, int, bytes]] = field(default_factory=list)
    nodes: list[tuple[int, int, bytes]] = field(default_factory=list)
    frontier: Frontier | None = None

    @property
    def size(self) -> int | None:
        """The tree's size after these rows (None when they add nothing)."""
        return self.leaves[-1][0] + 1 if self.leaves else None


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One leaf with the exact bytes of its chain entry."""

    leaf: int
    position: int
    entry: bytes


NOTE_COLUMNS = "tree_size, position, root, signed_at, key_id, vkey, note"


class TreeStore:
    """The tree's SQL for both backends (mixed into ``LogStore``, which provides the database)."""

    prefix: str
    events_table: str
    position_column: str
    #: this process's latest committed appends: their links and the tree's frontier after them
    recent_links: RecentLinks

    # provided by LogStore and the backends
    def _table(self, name: str) -> str:
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        raise NotImplementedError

    def _tuples(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        raise NotImplementedError

    def _id_text(self, column: str) -> str:
        raise NotImplementedError

    def signing_turn(self) -> AbstractContextManager[Any]:
        """A write transaction (a cursor) that one signer at a time holds, across processes."""
        raise NotImplementedError

    def append_turn(self) -> AbstractContextManager[Any]:
        """A write transaction (a cursor) that holds the log's write lock, as an append does."""
        raise NotImplementedError

    def _rowcount(self, cursor: Any) -> int:
        """Rows the cursor's last statement changed."""
        raise NotImplementedError

    # -- the write path, inside the append transaction ---------------------------------------

    def head_sql(self) -> str:
        """The chain's newest hash and position, and the tree's last leaf and its position: one row, two seeks.

        PostgreSQL reads it in the message that takes the lock; SQLite reads it
        as two statements (``read_head``).
        """
        chain, leaves = self._table("event_chain"), self._table("merkle_leaves")
        return (
            "SELECT c.hash AS hash, c.position AS position, l.leaf AS last_leaf, l.position AS tree_position "
            f"FROM (SELECT 1 AS one) o "
            f"LEFT JOIN (SELECT hash, position FROM {chain} ORDER BY position DESC LIMIT 1) c ON 1 = 1 "
            f"LEFT JOIN (SELECT leaf, position FROM {leaves} ORDER BY leaf DESC LIMIT 1) l ON 1 = 1"
        )

    def read_head(self, cursor: Any) -> Any:
        """The row of ``head_sql``, read with the cursor of the write transaction."""
        cursor.execute(self._sql(self.head_sql()))
        return cursor.fetchone()

    def _frontier(self, cursor: Any, size: int) -> Frontier:
        """The frontier of the tree of ``size`` leaves: this process's own after its last append, else read.

        Stored subtree roots never change, so the frontier this process left
        after its last committed append is the tree's whenever the size agrees
        (``RecentLinks.frontier``); otherwise its at most one node a level are
        read by key with the cursor.
        """
        known = self.recent_links.frontier
        if known is not None and known.size == size:
            return Frontier(size, list(known.roots))
        nodes = perfect_nodes(0, size)
        stored: dict[Node, bytes] = {}
        leaves = [index for level, index in nodes if level == 0]
        if leaves:
            cursor.execute(self._sql(f"SELECT hash FROM {self._table('merkle_leaves')} WHERE leaf = ?"), leaves)
            row = cursor.fetchone()
            if row is not None:
                stored[(0, leaves[0])] = bytes(row["hash"])
        inner = [node for node in nodes if node[0] > 0]
        if inner:
            where = " OR ".join("(level = ? AND idx = ?)" for _ in inner)
            cursor.execute(
                self._sql(f"SELECT level, idx, hash FROM {self._table('merkle_nodes')} WHERE {where}"),
                [value for node in inner for value in node],
            )
            stored.update({(int(r["level"]), int(r["idx"])): bytes(r["hash"]) for r in cursor.fetchall()})
        try:
            return Frontier.of(size, stored)
        except KeyError:
            raise TreeDamaged(f"the Merkle tree of {size} leaves lacks a node of its frontier") from None

    def _grow(self, cursor: Any, head: Any, new: Sequence[tuple[int, bytes]]) -> TreeRows:
        """The tree rows for ``new`` leaves (position, leaf hash), after any links the tree lacks.

        ``head`` was read under the write lock (``head_sql``).  Links beyond the
        tree's last leaf that are not among the new ones (a database from
        before the tree, or a restored one) become leaves first, from the
        stored events and links.
        """
        size = 0 if head["last_leaf"] is None else int(head["last_leaf"]) + 1
        frontier = self._frontier(cursor, size)
        chain_position, tree_position = head["position"], head["tree_position"] or 0
        pending: Iterable[tuple[int, bytes]] = new
        if chain_position is not None and chain_position > tree_position:
            pending = [*self._chain_leaves(cursor, tree_position, int(chain_position)), *new]
        rows = TreeRows(frontier=frontier)
        for position, leaf in pending:
            rows.leaves.append((frontier.size, position, leaf))
            rows.nodes += frontier.append(leaf)
        return rows

    def _chain_leaves(self, cursor: Any, after: int, upto: int) -> Iterator[tuple[int, bytes]]:
        """Leaf hashes of the chain's entries at positions after ``after`` up to ``upto``, from the cursor."""
        position = self.position_column
        sql = self._sql(
            f"SELECT e.{position} AS position, {self._id_text('e.originator_id')} AS id, "
            "e.originator_version AS version, e.topic AS topic, e.state AS state, c.prev_hash AS prev_hash "
            f"FROM {self._table(self.events_table)} e JOIN {self._table('event_chain')} c ON c.position = e.{position} "
            f"WHERE e.{position} > ? AND e.{position} <= ?"
        )
        for low in range(after, upto, WINDOW):
            cursor.execute(sql, [low, min(low + WINDOW, upto)])
            for r in sorted(cursor.fetchall(), key=lambda r: r["position"]):
                entry = entry_bytes(
                    r["position"], str(r["id"]), r["version"], r["topic"], bytes(r["state"]), r["prev_hash"]
                )
                yield int(r["position"]), leaf_hash(entry)

    def _insert_tree(self, cursor: Any, rows: TreeRows) -> None:
        """Write the tree rows with the cursor (one ``executemany`` a table)."""
        if rows.leaves:
            cursor.executemany(
                self._sql(f"INSERT INTO {self._table('merkle_leaves')} (leaf, position, hash) VALUES (?,?,?)"),
                rows.leaves,
            )
        if rows.nodes:
            cursor.executemany(
                self._sql(f"INSERT INTO {self._table('merkle_nodes')} (level, idx, hash) VALUES (?,?,?)"), rows.nodes
            )

    def build_tree(self) -> int:
        """Give the tree every chain link it lacks, in one write transaction; the leaves added.

        The migration step for a database written before the tree existed
        (the first append would do it otherwise).
        """
        with self.append_turn() as cursor:
            return self.grow_tree_in(cursor)

    def grow_tree_in(self, cursor: Any) -> int:
        """Give the tree every chain link it lacks, with the cursor of a transaction that holds the write lock."""
        rows = self._grow(cursor, self.read_head(cursor), [])
        self._insert_tree(cursor, rows)
        return len(rows.leaves)

    # -- reading the tree ---------------------------------------------------------------------

    def tree_size(self) -> int:
        """The number of leaves."""
        rows = self._tuples(f"SELECT leaf FROM {self._table('merkle_leaves')} ORDER BY leaf DESC LIMIT 1", [])
        return int(rows[0][0]) + 1 if rows else 0

    def tree_hashes(self, nodes: Iterable[Node]) -> dict[Node, bytes]:
        """The stored hashes of these nodes (those that exist)."""
        wanted = sorted(set(nodes))
        found: dict[Node, bytes] = {}
        leaves = [index for level, index in wanted if level == 0]
        if leaves:
            marks = ",".join("?" * len(leaves))
            sql = f"SELECT leaf, hash FROM {self._table('merkle_leaves')} WHERE leaf IN ({marks})"
            found.update({(0, int(i)): bytes(h) for i, h in self._tuples(sql, leaves)})
        inner = [(level, index) for level, index in wanted if level > 0]
        if inner:
            where = " OR ".join("(level = ? AND idx = ?)" for _ in inner)
            params = [value for node in inner for value in node]
            sql = f"SELECT level, idx, hash FROM {self._table('merkle_nodes')} WHERE {where}"
            found.update({(int(lv), int(i)): bytes(h) for lv, i, h in self._tuples(sql, params)})
        return found

    def root_hashes(self, size: int) -> list[bytes]:
        """The roots of the perfect subtrees of the first ``size`` leaves, left to right."""
        nodes = perfect_nodes(0, size)
        stored = self.tree_hashes(nodes)
        if len(stored) < len(nodes):
            raise TreeDamaged(f"the Merkle tree lacks nodes of its first {size} leaves")
        return [stored[node] for node in nodes]

    def leaf_at(self, position: int) -> int | None:
        """The leaf index of the development at ``position`` (None: no leaf there)."""
        rows = self._tuples(f"SELECT leaf FROM {self._table('merkle_leaves')} WHERE position = ?", [position])
        return int(rows[0][0]) if rows else None

    def leaf_positions(self, leaves: Sequence[int]) -> dict[int, int]:
        """Positions of these leaves, by leaf."""
        if not leaves:
            return {}
        marks = ",".join("?" * len(leaves))
        sql = f"SELECT leaf, position FROM {self._table('merkle_leaves')} WHERE leaf IN ({marks})"
        return {int(leaf): int(position) for leaf, position in self._tuples(sql, list(leaves))}

    def leaves_of(self, positions: Sequence[int]) -> dict[int, int]:
        """Leaf indexes of the developments at these positions, by position."""
        if not positions:
            return {}
        marks = ",".join("?" * len(positions))
        sql = f"SELECT position, leaf FROM {self._table('merkle_leaves')} WHERE position IN ({marks})"
        return {int(position): int(leaf) for position, leaf in self._tuples(sql, list(positions))}

    def first_leaf_after(self, position: int) -> int | None:
        """The first leaf whose position is after ``position``."""
        rows = self._tuples(f"SELECT MIN(leaf) FROM {self._table('merkle_leaves')} WHERE position > ?", [position])
        return None if rows[0][0] is None else int(rows[0][0])

    def entries(self, first_leaf: int, limit: int) -> list[EntryRow]:
        """Leaves ``first_leaf`` onwards (at most ``limit``) with their chain entries' exact bytes.

        A leaf whose event or link is gone is left out (a client sees the gap).
        Both reads are bounded ranges of an index (leaves by leaf, events and
        links by the positions those leaves span).
        """
        leaves = self._tuples(
            f"SELECT leaf, position FROM {self._table('merkle_leaves')} WHERE leaf >= ? AND leaf < ?",
            [first_leaf, first_leaf + limit],
        )
        if not leaves:
            return []
        positions = {int(p) for _, p in leaves}
        position = self.position_column
        rows = self._tuples(
            f"SELECT e.{position}, {self._id_text('e.originator_id')}, e.originator_version, e.topic, e.state, "
            f"c.prev_hash FROM {self._table(self.events_table)} e JOIN {self._table('event_chain')} c "
            f"ON c.position = e.{position} AND c.position >= ? AND c.position <= ? "
            f"WHERE e.{position} >= ? AND e.{position} <= ?",
            [min(positions), max(positions)] * 2,
        )
        entries = {
            int(p): entry_bytes(int(p), str(ident), int(version), topic, bytes(state), prev)
            for p, ident, version, topic, state, prev in rows
            if int(p) in positions
        }
        return [
            EntryRow(int(leaf), int(p), entries[int(p)])
            for leaf, p in sorted(leaves, key=lambda r: int(r[0]))
            if int(p) in entries
        ]

    def entries_at(self, positions: Sequence[int]) -> dict[int, bytes]:
        """The chain entries' exact bytes at these positions (those with an event and a link), by position."""
        if not positions:
            return {}
        position = self.position_column
        marks = ",".join("?" * len(positions))
        rows = self._tuples(
            f"SELECT e.{position}, {self._id_text('e.originator_id')}, e.originator_version, e.topic, e.state, "
            f"c.prev_hash FROM {self._table(self.events_table)} e JOIN {self._table('event_chain')} c "
            f"ON c.position = e.{position} WHERE e.{position} IN ({marks})",
            list(positions),
        )
        return {
            int(p): entry_bytes(int(p), str(ident), int(version), topic, bytes(state), prev)
            for p, ident, version, topic, state, prev in rows
        }

    # -- signed notes ------------------------------------------------------------------------

    def insert_note(self, cursor: Any, values: Sequence[Any]) -> bool:
        """Store a signed note (``NOTE_COLUMNS``) with the signing turn's cursor; False if that size has one."""
        cursor.execute(
            self._sql(
                f"INSERT INTO {self._table('signed_notes')} ({NOTE_COLUMNS}) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT DO NOTHING"
            ),
            list(values),
        )
        return self._rowcount(cursor) > 0

    def note_rows(self, *, after: int = -1, limit: int | None = None) -> list[Sequence[Any]]:
        """Signed notes' columns in tree-size order, those of sizes after ``after``."""
        sql = f"SELECT {NOTE_COLUMNS} FROM {self._table('signed_notes')} WHERE tree_size > ? ORDER BY tree_size"
        params: list[Any] = [after]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self._tuples(sql, params)

    def latest_note_row(self, cursor: Any | None = None) -> Sequence[Any] | None:
        """The signed note of the largest tree (read with ``cursor`` when given)."""
        sql = f"SELECT {NOTE_COLUMNS} FROM {self._table('signed_notes')} ORDER BY tree_size DESC LIMIT 1"
        if cursor is None:
            rows = self._tuples(sql, [])
            return rows[0] if rows else None
        cursor.execute(self._sql(sql))
        row = cursor.fetchone()
        return None if row is None else [row[name] for name in NOTE_COLUMNS.split(", ")]

    def recorded_at_leaf(self, leaf: int) -> str | None:
        """When the development of ``leaf`` was recorded (ISO 8601), from the index."""
        rows = self._tuples(
            f"SELECT d.recorded_at FROM {self._table('merkle_leaves')} l "
            f"JOIN {self._table('development_index')} d ON d.position = l.position WHERE l.leaf = ?",
            [leaf],
        )
        return str(rows[0][0]) if rows else None
