"""Build a log of many developments quickly, to measure ``conflict-status verify`` on it.

    .venv/bin/python bench/build_log.py sqlite:////tmp/bench.db --count 100000
    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/conflict-status checkpoint sign > /dev/null
    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/conflict-status verify

Developments are appended through ``ConflictLog.submit_many`` in batches of
10,000 (one transaction each), so they are validated, indexed and chained as
any others; a checkpoint is signed after every batch.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from events.audit.checkpoints import Checkpointer
from events.audit.keys import load_or_create_key
from events.log.admission import Submission
from events.log.application import MAX_BATCH
from events.log.opening import open_log

ACTORS = ["FRA", "RUS", "DEU", "UKR", "TUR", "EGY", "USA", "GBR"]


def registration() -> dict[str, Any]:
    return {
        "type": "ConflictRegistered",
        "occurred": "2014-05",
        "actors": ["LBY"],
        "sources": [{"name": "UCDP conflict record", "url": "https://ucdp.uu.se/"}],
        "summary": "The conflict in Libya is registered.",
        "data": {"conflict": "libya", "name": "Libya", "region": "North Africa", "parties": ["LBY"]},
    }


def development(n: int) -> dict[str, Any]:
    by = ACTORS[n % len(ACTORS)]
    day = 1 + n % 28
    return {
        "type": "StatementIssued",
        "occurred": f"2020-{1 + n % 12:02d}-{day:02d}",
        "conflicts": ["libya"],
        "actors": [by],
        "sources": [{"name": f"{by} foreign ministry statement", "url": f"https://example.org/statements/{n}"}],
        "summary": f"{by} called again for a ceasefire in Libya and a return to the Berlin process ({n}).",
        "data": {
            "by": by,
            "text": f"We call on all parties to observe the ceasefire (statement {n}).",
            "topics": ["libya"],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url", help="sqlite:///path/to/file.db or postgresql://user@host:port/db?schema=...")
    parser.add_argument("--count", type=int, default=100_000, help="developments to append (default 100,000)")
    parser.add_argument("--batch", type=int, default=MAX_BATCH, help="developments per transaction (default 10,000)")
    parser.add_argument("--key", type=Path, help="signing key file (default: a temporary one)")
    args = parser.parse_args()

    log = open_log(args.database_url)
    key = load_or_create_key(args.key or Path(tempfile.mkdtemp()) / "bench.signing-key.pem")
    checkpointer = Checkpointer(log.store, lambda: key)
    started = time.perf_counter()
    try:
        head = log.head()
        pending = [Submission(registration())] if head == 0 else []
        n = head
        while n < args.count:
            while len(pending) < args.batch and n + len(pending) < args.count:
                pending.append(Submission(development(n + len(pending))))
            log.submit_many(pending)
            n += len(pending)
            pending = []
            checkpointer.sign_head()
            rate = (n - head) / (time.perf_counter() - started)
            print(f"{n:>9,} developments ({rate:,.0f}/s)", flush=True)
    finally:
        log.close()


if __name__ == "__main__":
    main()
