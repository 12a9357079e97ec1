"""What every browser test module shares: Chromium, launched once a module after its server is up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.chromium import launched
from tests.e2e.server import Server


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    with launched() as chromium:
        yield chromium
