"""A real client, generated from /openapi.json by openapi-python-client, posts the seed article and reads every answer.

The generator runs offline on the document the app serves; the client talks to
the app through httpx's WSGI transport (HTTP semantics, no server to start).
Any "Unable to process schema" (or other) warning from the generator fails the
test, and so does an answer its models cannot read: the document must describe
what the service takes and gives.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.settings import Settings
from tests.conftest import make_token, seed_lines

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "conflict_status_client"
#: media types the generator cannot model (NDJSON batches, CSV imports, Atom feeds) are sent as bytes by the client
CONFIG = (
    "post_hooks: []\n"
    "content_type_overrides:\n"
    "  application/x-ndjson: application/octet-stream\n"
    "  text/csv: application/octet-stream\n"
    "  application/atom+xml: application/octet-stream\n"
)


@pytest.fixture
def generated(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Any, ModuleType, str]]:
    """The app (built with every warning an error), a client package generated from its document, a token."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # apispec renaming a clashing schema ("Deaths1") would be one
        app = create_app(Settings(database_url=sqlite_url))
        document = app.test_client().get("/openapi.json").json
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    (tmp_path / "config.yaml").write_text(CONFIG)
    arguments = ["--path", "openapi.json", "--meta", "none", "--output-path", PACKAGE, "--config", "config.yaml"]
    done = subprocess.run(
        [str(GENERATOR), "generate", *arguments],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "Unable to process schema" not in said and "WARNING" not in said and "rror" not in said, said
    sys.path.insert(0, str(tmp_path))
    try:
        yield app, importlib.import_module(PACKAGE), make_token(sqlite_url, "submitter")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        app.extensions["conflict_status"].close()


def call(package: ModuleType, operation: str, client: Any, **arguments: Any) -> Any:
    """Call a generated operation (``events.post_v1_events``); its answer must be 2xx and read into a model."""
    module = importlib.import_module(f"{package.__name__}.api.{operation}")
    answer = module.sync_detailed(client=client, **arguments)
    assert 200 <= answer.status_code < 300, (operation, answer.status_code, answer.content[:500])
    assert answer.parsed is not None and hasattr(answer.parsed, "to_dict"), operation
    assert answer.parsed.to_dict() == json.loads(answer.content), f"{operation}: the model does not give back its JSON"
    return answer.parsed


def test_a_generated_client_posts_the_seed_article_and_reads_every_answer_into_its_models(
    generated: tuple[Any, ModuleType, str],
) -> None:
    app, package, token = generated
    models = importlib.import_module(f"{package.__name__}.models")
    client = package.AuthenticatedClient(
        base_url="http://testserver", token=token, httpx_args={"transport": httpx.WSGITransport(app=app)}
    )
    for line in seed_lines():
        raw = json.loads(line)
        body = getattr(models, f"{raw['type']}Submission").from_dict(raw)
        receipt = call(package, "events.post_v1_events", client, body=body, idempotency_key=f"seed-{raw['id']}")
        assert isinstance(receipt, models.Receipt) and receipt.id.hex == raw["id"].replace("-", "")

    page = call(package, "events.get_v1_events", client, limit=50)
    assert isinstance(page, models.EventPage) and len(page.items) == 21
    one = call(package, "events.get_v1_events_development_id", client, development_id=page.items[5].id)
    assert isinstance(one, models.Development) and one.position == page.items[5].position
    january = date(2020, 1, 15)
    status = call(package, "conflicts.get_v1_conflicts_conflict", client, conflict="ukraine-east", as_of=january)
    assert isinstance(status, models.ConflictStatus) and status.ceasefire.status == "agreed"
    assert isinstance(call(package, "conflicts.get_v1_conflicts", client), models.ConflictList)
    timeline = call(package, "conflicts.get_v1_conflicts_conflict_timeline", client, conflict="ukraine-east", limit=5)
    assert isinstance(timeline, models.Timeline) and len(timeline.items) == 5
    agenda = call(package, "agendas.get_v1_agendas_a_b", client, a="RUS", b="FRA")
    assert isinstance(agenda, models.Agenda) and len(agenda.topics) == 10
    replay = call(package, "replay.get_v1_audit_replay", client, conflict="ukraine-east")
    assert isinstance(replay, models.Replay) and replay.steps
    points = {"from_": "2019-12-15", "to": "2020-07-01"}
    diff = call(package, "replay.get_v1_audit_diff", client, conflict="ukraine-east", **points)
    assert isinstance(diff, models.Diff) and diff.differences

    call_for_ceasefire = next(json.loads(line) for line in seed_lines() if '"CeasefireCalled"' in line)
    del call_for_ceasefire["id"]
    unknown = models.CeasefireCalledSubmission.from_dict({**call_for_ceasefire, "conflicts": ["lybia"]})
    refused = importlib.import_module(f"{package.__name__}.api.events.post_v1_events").sync_detailed(
        client=client, body=unknown
    )
    assert refused.status_code == 422 and isinstance(refused.parsed, models.Problem)
