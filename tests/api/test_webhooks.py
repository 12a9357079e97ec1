"""Webhooks: subscriptions, Standard Webhooks requests from the durable outbox, back-off and pausing; both backends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from standardwebhooks.webhooks import Webhook

from service.settings import Settings
from tests.api.test_acceptance import submit_seed
from tests.conftest import app_for
from tests.receiver import Receiver, receiving

FAST = {"webhook_poll": 0.1, "webhook_backoff": 0.2, "webhook_pause_after": 3, "webhook_timeout": 2.0}


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    with app_for(Settings(database_url=database_url, **FAST)) as flask_app:  # type: ignore[arg-type]
        yield flask_app


@pytest.fixture
def seeded(client: Any, auth: Any) -> Any:
    submit_seed(client, auth)
    return client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def statement(conflict: str = "libya", day: str = "2020-06-27") -> dict[str, Any]:
    return {
        "type": "CeasefireCalled",
        "occurred": day,
        "conflicts": [conflict],
        "actors": ["FRA"],
        "sources": [{"name": "Elysee"}],
        "summary": f"France called again for a ceasefire ({conflict}).",
        "data": {"called_by": ["FRA"], "basis": []},
    }


def subscribe(client: Any, auth: Any, url: str, **filters: Any) -> dict[str, Any]:
    response = client.post("/v1/subscriptions", json={"url": url, **filters}, headers=auth())
    assert response.status_code == 201, response.json
    answer: dict[str, Any] = response.json
    return answer


def deliveries_until(client: Any, auth: Any, ident: str, done: Any, seconds: float = 20.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while True:
        items: list[dict[str, Any]] = client.get(f"/v1/subscriptions/{ident}/deliveries", headers=auth()).json["items"]
        if done(items) or time.monotonic() > deadline:
            return items
        time.sleep(0.1)


def test_a_subscription_answers_its_secret_once_and_reads_back_without_it(seeded: Any, auth: Any) -> None:
    made = subscribe(seeded, auth, "https://receiver.example/hooks", conflicts=["libya"], agendas=["RUS,FRA"])
    assert made["secret"].startswith("whsec_") and made["status"] == "active"
    assert made["agendas"] == ["FRA-RUS"] and made["conflicts"] == ["libya"]
    read = seeded.get(f"/v1/subscriptions/{made['id']}", headers=auth()).json
    assert "secret" not in read and read["url"] == "https://receiver.example/hooks"


@pytest.mark.parametrize("url", ["ftp://receiver.example/x", "file:///etc/passwd", "receiver.example", "http://"])
def test_a_url_that_is_not_http_is_refused_naming_the_field(seeded: Any, auth: Any, url: str) -> None:
    response = seeded.post("/v1/subscriptions", json={"url": url}, headers=auth())
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "url" and "http://" in response.json["errors"][0]["message"]


def test_an_unknown_conflict_is_refused_with_the_closest_known(seeded: Any, auth: Any) -> None:
    body = {"url": "http://x.example/", "conflicts": ["lybia"]}
    response = seeded.post("/v1/subscriptions", json=body, headers=auth())
    assert response.status_code == 422 and "did you mean 'libya'" in response.json["detail"]
    assert response.json["errors"][0]["field"] == "conflicts[0]"


def test_subscribing_needs_a_submitter_token(seeded: Any, auth: Any) -> None:
    assert seeded.post("/v1/subscriptions", json={"url": "http://x.example/"}).status_code == 401
    reader = seeded.post("/v1/subscriptions", json={"url": "http://x.example/"}, headers=auth("reader"))
    assert reader.status_code == 403


def test_each_change_is_delivered_signed_as_a_standard_webhook(seeded: Any, auth: Any, receiver: Receiver) -> None:
    made = subscribe(seeded, auth, receiver.url)
    assert seeded.post("/v1/events", json=statement(), headers=auth()).status_code == 201
    request = receiver.wait_for(1)[0]
    payload = Webhook(made["secret"]).verify(request.body, request.headers)
    assert request.headers["webhook-id"].startswith("msg_")
    assert payload["type"] == "conflict.changed"
    assert payload["data"]["scope"] == {"kind": "conflict", "id": "libya"}
    assert any(d["field"] == "ceasefire.called_by" for d in payload["data"]["differences"])
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 32).verify(request.body, request.headers)
    items = deliveries_until(seeded, auth, made["id"], lambda i: i and all(d["status"] == "delivered" for d in i))
    assert [d["status"] for d in items] == ["delivered"] * len(items)
    assert items[0]["id"] == request.headers["webhook-id"] and items[0]["attempts"] == 1


def test_a_subscription_to_one_conflict_gets_only_its_changes(seeded: Any, auth: Any, receiver: Receiver) -> None:
    made = subscribe(seeded, auth, receiver.url, conflicts=["ukraine-east"])
    assert seeded.post("/v1/events", json=statement("libya"), headers=auth()).status_code == 201
    assert seeded.post("/v1/events", json=statement("ukraine-east"), headers=auth()).status_code == 201
    received = receiver.wait_for(1)
    time.sleep(0.5)  # time enough for a wrong second delivery to arrive
    scopes = {Webhook(made["secret"]).verify(r.body, r.headers)["data"]["scope"]["id"] for r in receiver.requests}
    assert scopes == {"ukraine-east"} and len(received) >= 1


def test_a_failing_receiver_is_retried_with_back_off_then_paused_and_resumed_without_loss(
    seeded: Any, auth: Any, receiver: Receiver
) -> None:
    receiver.status = 500
    made = subscribe(seeded, auth, receiver.url, conflicts=["libya"])
    assert seeded.post("/v1/events", json=statement(), headers=auth()).status_code == 201
    tries = receiver.wait_for(3)
    assert len({r.headers["webhook-id"] for r in tries}) == 1  # the same delivery, tried again
    first_gap, second_gap = tries[1].at - tries[0].at, tries[2].at - tries[1].at
    assert first_gap >= 0.2 and second_gap >= 0.4  # WEBHOOK_BACKOFF, then twice it
    deadline = time.monotonic() + 10
    while (state := seeded.get(f"/v1/subscriptions/{made['id']}", headers=auth()).json)["status"] != "paused":
        assert time.monotonic() < deadline, state
        time.sleep(0.1)
    assert "3 failed deliveries" in state["reason"] and "HTTP 500" in state["reason"]
    waiting = seeded.get(f"/v1/subscriptions/{made['id']}/deliveries", headers=auth()).json["items"][0]
    assert waiting["status"] == "pending" and waiting["attempts"] == 3
    assert waiting["last_error"] == "the receiver answered HTTP 500" and waiting["next_attempt"]
    time.sleep(0.6)
    assert len(receiver.requests) == 3  # paused: nothing more is sent
    receiver.status = 200
    resumed = seeded.post(f"/v1/subscriptions/{made['id']}/resume", headers=auth()).json
    assert resumed["status"] == "active" and resumed["reason"] is None
    last = receiver.wait_for(4)[3]
    assert last.headers["webhook-id"] == tries[0].headers["webhook-id"] and last.body == tries[0].body
    items = deliveries_until(seeded, auth, made["id"], lambda i: i[0]["status"] == "delivered")
    assert items[0]["status"] == "delivered" and items[0]["attempts"] == 4


def test_the_back_off_doubles_each_time(seeded: Any) -> None:
    from projections.outbox import MAX_BACKOFF, backoff

    assert [backoff(n, 5) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(40, 5) == MAX_BACKOFF


def test_a_deleted_subscription_is_gone_and_its_waiting_deliveries_cancelled(
    seeded: Any, auth: Any, receiver: Receiver
) -> None:
    receiver.status = 500
    made = subscribe(seeded, auth, receiver.url)
    assert seeded.post("/v1/events", json=statement(), headers=auth()).status_code == 201
    receiver.wait_for(1)
    assert seeded.delete(f"/v1/subscriptions/{made['id']}", headers=auth()).status_code == 204
    assert seeded.get(f"/v1/subscriptions/{made['id']}", headers=auth()).status_code == 404
    assert seeded.delete(f"/v1/subscriptions/{made['id']}", headers=auth()).status_code == 404
    count = len(receiver.requests)
    time.sleep(0.8)
    assert len(receiver.requests) == count
