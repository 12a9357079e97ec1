"""The WSGI entry point for gunicorn: tables already exist, so workers never create them."""

from __future__ import annotations

from flask import Flask

from service.app import create_app


def create() -> Flask:
    """Build the app in a worker (called by gunicorn after the fork)."""
    return create_app(create_tables=False)
