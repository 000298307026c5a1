"""The moves feed, the impact of a move, as-of queries, career timelines, and webhooks.

Register this router before ``records``: ``/moves/feed`` must win over ``/moves/{id}``.
"""

from __future__ import annotations

import threading
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import Admin, FullProjectionDep, Reader, StoreDep, audit_persons, per_process, projection_of
from api.responses import json_response
from api.schemas import ERRORS
from graph_service import asof, impact, webhooks
from graph_service import feed as moves_feed
from graph_service.model import Day, DecisionLayer
from graph_service.projection import Projection
from graph_service.store.base import Store

router = APIRouter(responses=ERRORS)


def get_feed_index(request: Request, store: StoreDep) -> moves_feed.FeedIndex:
    """The process's feed index, built on first use and kept current from the change feed.

    Our tie strengths come from the app's projection, as for paths and account maps.
    """
    projection = projection_of(request)
    return per_process(request, "feed_index", lambda s: moves_feed.FeedIndex(s, projection))


FeedIndexDep = Annotated[moves_feed.FeedIndex, Depends(get_feed_index)]


@router.get("/moves/feed", response_model=moves_feed.FeedPage, operation_id="moves_feed", tags=["moves"])
def feed(
    request: Request, _: Reader, store: StoreDep, index: FeedIndexDep,
    since: Annotated[Day | None, Query(description="moves dated on or after this day")] = None,
    until: Annotated[Day | None, Query(description="moves dated on or before this day")] = None,
    company_id: Annotated[str | None, Query(description="only moves into or out of this company")] = None,
    direction: Annotated[Literal["in", "out", "any"], Query(description="with company_id: joined, left or either")] = "any",
    layer: Annotated[DecisionLayer | None, Query(description="movers who were or are in this decision layer")] = None,
    connected: Annotated[bool, Query(description="only movers someone on our team knows")] = False,
    include_role_changes: Annotated[bool, Query(description="also new roles inside one company")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    after: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Response:
    """Job moves, most relevant first: the mover's layer and seniority before and after, our tie to them,
    and the status of the company joined (the score and its parts come with each item)."""
    page = moves_feed.list_feed(store=store, index=index, since=since, until=until, company_id=company_id,
                                direction=direction, layer=layer.value if layer else None, connected=connected,
                                include_role_changes=include_role_changes, limit=limit, after=after)
    audit_persons(request, [item.move.person_id for item in page.items])
    return json_response(page)


@router.get("/moves/{move_id}/impact", response_model=impact.Impact, operation_id="move_impact", tags=["moves"])
def move_impact(request: Request, move_id: str, key: Reader, store: StoreDep, projection: FullProjectionDep,
                on: Annotated[Day | None, Query(description="read coverage as of this day (default today)")] = None,
                ) -> Response:
    """For the company left, who we still know there per decision layer; for the company joined,
    the warm door: the mover, our best path to them, and who else we know there."""
    found = impact.get(store=store, move_id=move_id, on=on, projection=projection, viewer=key.viewer())
    persons = [found.person.id] + [c.person.id for side in (found.left.coverage, found.joined.coverage)
                                   for layer in side for c in layer.contacts]
    audit_persons(request, persons)
    return json_response(found)


@router.get("/as-of/companies/{company_id}/people", response_model=asof.AccountPeople,
            operation_id="company_people_as_of", tags=["as-of"])
def company_people_as_of(request: Request, company_id: str, on: Annotated[Day, Query(description="the day")],
                         store: StoreDep, _: Reader) -> Response:
    """A company's people on a day, by decision layer, with our tie to each."""
    found = asof.people_on(store=store, company_id=company_id, on=on)
    audit_persons(request, [m.person.id for m in found.people])
    return json_response(found)


@router.get("/as-of/people/{person_id}/employer", response_model=asof.Employer, operation_id="person_employer_as_of",
            tags=["as-of"])
def person_employer_as_of(person_id: str, on: Annotated[Day, Query(description="the day")], store: StoreDep,
                          _: Reader) -> Response:
    """Where a person worked on a day (``certain`` is false where date precision leaves it open)."""
    return json_response(asof.employer_on(store=store, person_id=person_id, on=on))


@router.get("/people/{person_id}/timeline", response_model=asof.Timeline, operation_id="person_timeline",
            tags=["as-of"])
def person_timeline(person_id: str, store: StoreDep, _: Reader) -> Response:
    """A person's career, oldest position first, each with the move that began it."""
    return json_response(asof.timeline(store=store, person_id=person_id))


# -- webhooks (admin) ---------------------------------------------------------------------------


@router.post("/webhooks", response_model=webhooks.CreatedSubscription, status_code=201, operation_id="create_webhook",
             tags=["webhooks"])
def create_webhook(subscription: webhooks.SubscriptionIn, store: StoreDep, _: Admin) -> webhooks.CreatedSubscription:
    """Subscribe a URL to job moves; the signing secret is in this response only."""
    return webhooks.create(store=store, subscription=subscription)


@router.get("/webhooks", response_model=list[webhooks.Subscription], operation_id="list_webhooks", tags=["webhooks"])
def list_webhooks(store: StoreDep, _: Admin) -> list[webhooks.Subscription]:
    return webhooks.list_subscriptions(store=store)


@router.get("/webhooks/{webhook_id}", response_model=webhooks.Subscription, operation_id="get_webhook",
            tags=["webhooks"])
def get_webhook(webhook_id: str, store: StoreDep, _: Admin) -> webhooks.Subscription:
    return webhooks.get_or_raise(store=store, subscription_id=webhook_id)


@router.delete("/webhooks/{webhook_id}", status_code=204, operation_id="delete_webhook", tags=["webhooks"])
def delete_webhook(webhook_id: str, store: StoreDep, _: Admin) -> Response:
    """Delete a subscription, its pending deliveries and its delivery log."""
    webhooks.delete(store=store, subscription_id=webhook_id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/resume", response_model=webhooks.Subscription, operation_id="resume_webhook",
             tags=["webhooks"])
def resume_webhook(webhook_id: str, store: StoreDep, _: Admin) -> webhooks.Subscription:
    """Resume a paused subscription; its waiting deliveries go out on the next pass."""
    return webhooks.resume(store=store, subscription_id=webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=webhooks.DeliveryPage,
            operation_id="list_webhook_deliveries", tags=["webhooks"])
def list_webhook_deliveries(webhook_id: str, store: StoreDep, _: Admin, after: str | None = None,
                            limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> webhooks.DeliveryPage:
    """The delivery log: one entry per attempt, newest first."""
    return webhooks.deliveries(store=store, subscription_id=webhook_id, after=after, limit=limit)


def warm_up(state: object, store: Store, projection: Projection | None = None) -> threading.Thread:
    """Build the feed index in the background, so the first feed request does not wait for it.

    Call from the lifespan once the store is open: ``moves.warm_up(app.state, store, projection)``
    with the app's projection (``app.state.projection``), so the index and the routes share it.
    A request that comes during the build waits for it instead of starting another.
    """
    index = getattr(state, "feed_index", None)
    if index is None:
        index = moves_feed.FeedIndex(store, projection)
        setattr(state, "feed_index", index)
    thread = threading.Thread(target=index.refresh, name="sgraph-feed-index", daemon=True)
    thread.start()
    return thread
