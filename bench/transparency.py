"""What the transparency log costs and how fast it answers: ``python -m bench.transparency`` (by hand).

    .venv/bin/python -m bench.transparency --database sqlite                 # everything, 1,000,000 developments
    .venv/bin/python -m bench.transparency --database postgres --only appends,proofs
    .venv/bin/python -m bench.transparency --only libraries --size 1000000   # pymerkle against ours, no database

Sections (``--only``, comma-separated):

- ``appends``: append cost with the Merkle tree against the same appends with
  the tree's work switched off (the frontier read and the tree rows), batches of
  1,000 and single appends, the two taking turns for three rounds in one run;
- ``libraries``: building the tree of a million leaves and making proofs at
  that size with ``pymerkle`` (in memory) and with ``events.log.merkle`` (the
  frontier the log keeps, and proofs folded from stored subtree roots);
- ``proofs``: inclusion and consistency proofs from the stored tree of a log of
  ``--size`` developments (built once; SQLite logs are cached as ``python -m
  bench`` caches them): hashes per proof, bytes as JSON, and time per proof;
- ``remote``: ``conflict-status verify --remote`` against a real ``serve`` of
  that log, from a checkpoint kept before 1,000 more developments.

Absolute figures depend on whatever else runs on the machine: the ratios are
measured within one run.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from bench.__main__ import CONFLICTS, Database, fresh_database, large_log
from bench.workload import conflict_ids, developments, registrations
from events.audit.keys import load_or_create_key
from events.audit.proofs import Proofs
from events.audit.signing import HeadSigner
from events.log.admission import Submission
from events.log.application import ConflictLog
from events.log.merkle import Frontier, consistency_ranges, inclusion_ranges, leaf_hash, nodes_for, range_hash
from events.log.opening import open_log
from events.log.tree import TreeRows, TreeStore
from service.settings import Settings
from tests.e2e.server import BIN, serve

ROUNDS = 3


# -- appends: with the tree against without -------------------------------------------------


@contextmanager
def tree_switched_off() -> Iterator[None]:
    """Appends without the tree's work: no frontier, no tree rows (the chain, the index and the head read as ever)."""
    grow = TreeStore._grow
    TreeStore._grow = lambda self, cursor, head, new: TreeRows()  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        TreeStore._grow = grow  # type: ignore[method-assign]


def append_rates(url: str, batches: int, singles: int) -> dict[str, list[float]]:
    """Developments per second, batched and single, with and without the tree, taking turns."""
    log = open_log(url)
    conflicts = conflict_ids(CONFLICTS)
    kinds = ("batch, tree", "batch, no tree", "single, tree", "single, no tree")
    rates: dict[str, list[float]] = {kind: [] for kind in kinds}
    try:
        log.submit_many([Submission(r) for r in registrations(conflicts)])
        stream = developments(10**9, conflicts, seed=11)
        for _ in range(ROUNDS):
            for tree in (True, False):
                with tree_switched_off() if not tree else _nothing():
                    label = "tree" if tree else "no tree"
                    rates[f"batch, {label}"].append(_batches(log, stream, batches))
                    rates[f"single, {label}"].append(_singles(log, stream, singles))
    finally:
        log.close()
    return rates


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _batches(log: ConflictLog, stream: Iterator[dict[str, Any]], batches: int) -> float:
    pending = [[Submission(next(stream)) for _ in range(1000)] for _ in range(batches)]
    started = time.perf_counter()
    for batch in pending:
        log.submit_many(batch)
    return batches * 1000 / (time.perf_counter() - started)


def _singles(log: ConflictLog, stream: Iterator[dict[str, Any]], count: int) -> float:
    pending = [next(stream) for _ in range(count)]
    started = time.perf_counter()
    for raw in pending:
        log.submit(raw)
    return count / (time.perf_counter() - started)


# -- libraries: pymerkle against ours -------------------------------------------------------


def libraries(size: int, proofs: int) -> dict[str, float]:
    """Seconds to build a tree of ``size`` leaves and milliseconds a proof, for pymerkle and ours."""
    from pymerkle import InmemoryTree

    entries = [f"entry {n} ".encode() * 40 for n in range(size)]  # about 400 bytes, as chain entries go
    rng = random.Random(3)
    picks = [(rng.randrange(size), rng.randrange(1, size)) for _ in range(proofs)]
    out: dict[str, float] = {}

    theirs = InmemoryTree(algorithm="sha256")
    out["pymerkle build (s)"] = _timed(lambda: [theirs.append_entry(e) for e in entries])
    out["pymerkle inclusion proof, first (ms)"] = 1000 * _timed(lambda: theirs.prove_inclusion(picks[0][0] + 1, size))
    out["pymerkle inclusion proof (ms)"] = (
        1000 * _timed(lambda: [theirs.prove_inclusion(i + 1, size) for i, _ in picks]) / len(picks)
    )
    out["pymerkle consistency proof (ms)"] = (
        1000 * _timed(lambda: [theirs.prove_consistency(m, size) for _, m in picks]) / len(picks)
    )
    their_root = theirs.get_root(size)

    stored: dict[tuple[int, int], bytes] = {}
    frontier = Frontier()

    def build() -> None:
        for index, entry in enumerate(entries):
            leaf = leaf_hash(entry)
            stored[(0, index)] = leaf
            for level, node, digest in frontier.append(leaf):
                stored[(level, node)] = digest

    out["ours build (s)"] = _timed(build)
    assert frontier.root() == their_root, "the two implementations disagree"

    def inclusion(index: int) -> list[bytes]:
        ranges = inclusion_ranges(index, size)
        nodes = {n: stored[n] for n in nodes_for(ranges)}  # what the store reads: O(log n) rows
        return [range_hash(a, b, nodes) for a, b in ranges]

    def consistency(old: int) -> list[bytes]:
        ranges = consistency_ranges(old, size)
        nodes = {n: stored[n] for n in nodes_for(ranges)}
        return [range_hash(a, b, nodes) for a, b in ranges]

    out["ours inclusion proof (ms)"] = 1000 * _timed(lambda: [inclusion(i) for i, _ in picks]) / len(picks)
    out["ours consistency proof (ms)"] = 1000 * _timed(lambda: [consistency(m) for _, m in picks]) / len(picks)
    return out


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# -- proofs from the stored tree of a large log ---------------------------------------------


def stored_proofs(url: str, count: int) -> dict[str, float]:
    """Hashes, JSON bytes and milliseconds per inclusion and consistency proof from the stored tree."""
    log = open_log(url)
    try:
        built = log.store.build_tree()  # a cached log from before the tree gets it here, once
        proofs = Proofs(log.store)
        size = proofs.size()
        rng = random.Random(5)
        positions = [p for p, _ in zip(_positions(log, size, rng), range(count), strict=False)]
        olds = [rng.randrange(1, size) for _ in range(count)]
        inclusion_ms, consistency_ms, inclusion_hashes, consistency_hashes, sizes = [], [], [], [], []
        for position, old in zip(positions, olds, strict=True):
            started = time.perf_counter()
            made = proofs.inclusion(position, size)
            inclusion_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            linked = proofs.consistency(old, size)
            consistency_ms.append((time.perf_counter() - started) * 1000)
            inclusion_hashes.append(len(made.hashes))
            consistency_hashes.append(len(linked.hashes))
            sizes.append(len(json.dumps({"hashes": [base64.b64encode(h).decode() for h in made.hashes]})))
        return {
            "tree size": size,
            "leaves built from the chain first": built,
            "inclusion proof hashes (max)": max(inclusion_hashes),
            "inclusion proof JSON bytes (median)": statistics.median(sizes),
            "inclusion proof ms (median)": statistics.median(inclusion_ms),
            "inclusion proof ms (p99)": _p99(inclusion_ms),
            "consistency proof hashes (max)": max(consistency_hashes),
            "consistency proof ms (median)": statistics.median(consistency_ms),
            "consistency proof ms (p99)": _p99(consistency_ms),
        }
    finally:
        log.close()


def _positions(log: ConflictLog, size: int, rng: random.Random) -> Iterator[int]:
    while True:
        rows = log.store.leaf_positions([rng.randrange(size)])
        yield from rows.values()


def _p99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * 0.99))]


# -- verify --remote of a 1,000-development increment ---------------------------------------


def remote_increment(db: Database, increment: int) -> dict[str, float]:
    """Seconds ``verify --remote`` takes from a kept checkpoint over ``increment`` new developments."""
    log = open_log(db.url)
    try:
        log.store.build_tree()
        key = load_or_create_key(db.folder / "signing-key.pem")  # the key serve signs with
        HeadSigner(log.store, lambda: key, Settings().log_origin, every=increment).sign_due()
    finally:
        log.close()
    with serve(db.url, db.folder, workers=2, extra_env={"CHECKPOINT_EVERY": str(increment)}) as server:
        kept = db.folder / "kept.note"
        kept.write_text(requests.get(server.url + "/v1/audit/checkpoint", timeout=60).text)  # as curl would keep it
        before = int(kept.read_text().split("\n")[1])
        _append(server.url, server.token("submitter"), increment)  # crosses a multiple: a head is signed
        started = time.perf_counter()
        done = subprocess.run(
            [str(BIN), "verify", "--remote", server.url, "--since-checkpoint", str(kept), "--json"],
            capture_output=True, text=True, timeout=3600, check=False,
        )  # fmt: skip
        wall = time.perf_counter() - started
        report = json.loads(done.stdout)
        assert report["ok"], report
        return {
            "kept tree size": before,
            "new tree size": report["tree_size"],
            "entries checked": report["entries_checked"],
            "requests": report["requests"],
            "verify's own seconds": report["seconds"],
            "seconds with process start": wall,
        }


def _append(url: str, headers: dict[str, str], count: int) -> None:
    conflicts = conflict_ids(CONFLICTS)
    stream = developments(count, conflicts, seed=int(time.time()))
    body = [{**d, "summary": f"{d['summary']} ({time.time_ns()})"} for d in stream]
    answer = requests.post(url + "/v1/events/batch", json=body, headers=headers, timeout=600)
    assert answer.status_code == 201, answer.text[:300]


# -- the run --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.transparency", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--size", type=int, default=1_000_000, help="developments in the large log (1,000,000)")
    parser.add_argument("--only", default="appends,libraries,proofs,remote", help="sections, comma-separated")
    parser.add_argument("--batches", type=int, default=20, help="batches of 1,000 per round of the append loads")
    parser.add_argument("--singles", type=int, default=1000, help="single appends per round of the append loads")
    parser.add_argument("--proofs", type=int, default=1000, help="proofs of each kind to time")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "conflict-status-bench")
    args = parser.parse_args()
    sections = set(args.only.split(","))
    results: dict[str, Any] = {"database": args.database, "size": args.size}
    with tempfile.TemporaryDirectory(prefix="bench-transparency-") as tmp:
        if "appends" in sections:
            with fresh_database(args.database, Path(tmp)) as db:
                rates = append_rates(db.url, args.batches, args.singles)
            results["appends (developments/s, rounds)"] = rates
            for kind in ("batch", "single"):
                tree, bare = (statistics.median(rates[f"{kind}, {t}"]) for t in ("tree", "no tree"))
                results[f"{kind} appends with the tree ÷ without (medians)"] = round(tree / bare, 3)
            print(json.dumps(results, indent=2, ensure_ascii=False), flush=True)
        if "libraries" in sections:
            results["libraries at the size"] = libraries(args.size, args.proofs)
            print(json.dumps(results["libraries at the size"], indent=2), flush=True)
        if sections & {"proofs", "remote"}:
            folder = Path(tmp) / "large"
            folder.mkdir()
            with fresh_database(args.database, folder) as db:
                results["large log"] = large_log(args.database, db, args.size, args.cache)
                if "proofs" in sections:
                    results["stored proofs"] = stored_proofs(db.url, args.proofs)
                    print(json.dumps(results["stored proofs"], indent=2), flush=True)
                if "remote" in sections:
                    results["verify --remote of 1,000 new developments"] = remote_increment(db, 1000)
    results["command"] = "python -m bench.transparency " + " ".join(sys.argv[1:])
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
