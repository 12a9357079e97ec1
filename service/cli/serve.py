"""``conflict-status serve``: the REST API and the pages under gunicorn."""

from __future__ import annotations

import os
import sys

import click

from service.cli.common import settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="threads per worker")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the REST API with gunicorn (the process becomes gunicorn)."""
    settings()  # fail here, with a clear message, on bad settings
    args = [
        sys.executable, "-m", "gunicorn",
        "--config", "python:service.gunicorn_conf",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
    ]  # fmt: skip
    sys.stdout.flush()
    os.execv(sys.executable, args)
