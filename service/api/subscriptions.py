"""REST resources of webhook subscriptions: subscribe, read, delete, resume, and list deliveries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from events.vocabulary.references import closest
from projections.items import pair_key
from projections.outbox import PENDING, Delivery, Subscription
from service.api.schemas.subscriptions import (
    DeliveryPageSchema,
    DeliveryQuerySchema,
    NewSubscriptionAnswerSchema,
    NewSubscriptionSchema,
    SubscriptionSchema,
)
from service.auth import requires
from service.problems import ApiProblem
from service.runtime import runtime

blp = Blueprint(
    "subscriptions", __name__, url_prefix="/v1/subscriptions", description="Webhooks: each change, signed, delivered"
)
ROLE = "submitter"


def _known(kind: str, wanted: list[str], field: str) -> None:
    """Refuse ids of conflicts or agendas the log has never held, with the closest known one."""
    known = set(runtime().projections.keys(kind))
    for i, ident in enumerate(wanted):
        if ident not in known:
            hint = closest(ident, sorted(known))
            message = f"unknown {kind} '{ident}'" + (f"; did you mean '{hint}'?" if hint else "")
            raise ApiProblem(422, message, [{"field": f"{field}[{i}]", "message": message}])


def _subscription(found: Subscription) -> dict[str, Any]:
    return {
        "id": found.id,
        "url": found.url,
        "conflicts": found.conflicts,
        "agendas": found.agendas,
        "status": found.status,
        "reason": found.reason,
        "failures": found.failures,
        "cursor": found.cursor,
        "created": found.created,
    }


def _delivery(found: Delivery) -> dict[str, Any]:
    waiting = found.status == PENDING
    return {
        "id": found.id,
        "position": found.position,
        "scope": {"kind": found.scope, "id": found.key},
        "status": found.status,
        "attempts": found.attempts,
        "next_attempt": datetime.fromtimestamp(found.next_attempt, UTC).isoformat() if waiting else None,
        "last_error": found.last_error,
        "created": found.created,
        "delivered": found.delivered,
    }


@blp.route("")
class Subscriptions(MethodView):
    @requires(ROLE)
    @blp.arguments(NewSubscriptionSchema)
    @blp.response(201, NewSubscriptionAnswerSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Subscribe a URL to every change after now (or to some conflicts' and agendas'); answers the secret once.

        Each change is POSTed as a Standard Webhooks request (`webhook-id`,
        `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 with the secret),
        retried with exponential back-off until the receiver answers 2xx; after
        `WEBHOOK_PAUSE_AFTER` failures in a row the subscription is paused.
        """
        agendas = [pair_key(*a.upper().replace(",", "-").split("-")) for a in body["agendas"]]
        _known("conflict", body["conflicts"], "conflicts")
        _known("agenda", agendas, "agendas")
        outbox = runtime().outbox
        found, secret = outbox.subscribe(body["url"], body["conflicts"], agendas, runtime().projections.head())
        return {**_subscription(found), "secret": secret}


@blp.route("/<subscription_id>")
class OneSubscription(MethodView):
    @requires(ROLE)
    @blp.response(200, SubscriptionSchema)
    def get(self, subscription_id: str) -> Any:
        """A subscription: its filters, whether it is active or paused (and why), and its cursor."""
        return _subscription(runtime().outbox.subscription(subscription_id))

    @requires(ROLE)
    @blp.response(204)
    def delete(self, subscription_id: str) -> None:
        """Stop delivering: deliveries not yet made are cancelled."""
        runtime().outbox.delete(subscription_id)


@blp.route("/<subscription_id>/resume")
class Resume(MethodView):
    @requires(ROLE)
    @blp.response(200, SubscriptionSchema)
    def post(self, subscription_id: str) -> Any:
        """Resume a paused subscription: the deliveries waiting (none was dropped) are tried again now."""
        return _subscription(runtime().outbox.resume(subscription_id))


@blp.route("/<subscription_id>/deliveries")
class Deliveries(MethodView):
    @requires(ROLE)
    @blp.arguments(DeliveryQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, DeliveryPageSchema)
    def get(self, subscription_id: str, after: int, limit: int) -> Any:
        """A subscription's deliveries in log order: status, attempts, next attempt, last error."""
        found = runtime().outbox.deliveries(subscription_id, after=after, limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        return {"items": [_delivery(d) for d in found], "next_after": found[-1].position if more else None}
