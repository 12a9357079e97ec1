"""The benchmark is run by hand (``python -m bench``); here only its --help is checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_python_m_bench_help_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--help"],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout and "--database" in done.stdout
