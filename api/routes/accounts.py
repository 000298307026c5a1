"""Account maps, influencers, account screening and the 80/20 view of customers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import ValidationError

from api.deps import ProjectionDep, Reader, StoreDep, audit_persons, per_process, shared
from api.responses import json_response
from api.schemas import ERRORS
from graph_service import accounts, screening
from graph_service.errors import InvalidInput, problems_from_errors
from graph_service.store.base import Store

router = APIRouter(responses=ERRORS)


def _results_cache(store: Store) -> accounts.ResultCache:
    """Maps and rankings of this process, dropped whenever the projection moves on."""
    return accounts.ResultCache()


def results_cache_of(request: Request) -> accounts.ResultCache:
    """The process's results cache, from code already running in a worker thread."""
    return per_process(request, "results_cache", _results_cache)


async def get_results_cache(request: Request) -> accounts.ResultCache:
    return await shared(request, "results_cache", _results_cache)


CacheDep = Annotated[accounts.ResultCache, Depends(get_results_cache)]


def _listed(value: str | None) -> frozenset[str]:
    """A comma-separated query value as a set (the API has no repeated query parameters)."""
    return frozenset(part.strip() for part in (value or "").split(",") if part.strip())


Listed = Annotated[str | None, Query(description="comma-separated; any of these")]


@router.get("/accounts/screen", response_model=screening.Screen, operation_id="screen_accounts", tags=["accounts"])
def screen(
    store: StoreDep, _: Reader,
    min_employees: Annotated[int | None, Query(ge=0)] = None,
    max_employees: Annotated[int | None, Query(ge=0)] = None,
    min_revenue: Annotated[float | None, Query(ge=0)] = None,
    max_revenue: Annotated[float | None, Query(ge=0)] = None,
    max_industry_rank: Annotated[int | None, Query(ge=1, description="benchmark-setters: rank at most this")] = None,
    industry: Listed = None,
    health: Listed = None,
    ownership: Listed = None,
    account_kind: Listed = None,
    payment_reputation: Listed = None,
    status: Listed = None,
    sort: Annotated[str | None, Query(description="comma-separated fields, most significant first, '-' for "
                                                  f"descending (default {','.join(screening.DEFAULT_SORT)})")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Companies that pass the screen of the seed article (size, health, industry standing, ownership,
    kind of account, payment reputation), best first."""
    try:
        filters = screening.CompanyFilters(
            min_employees=min_employees, max_employees=max_employees, min_revenue=min_revenue,
            max_revenue=max_revenue, max_industry_rank=max_industry_rank, industries=_listed(industry),
            health=_listed(health), ownership=_listed(ownership), account_kind=_listed(account_kind),
            payment_reputation=_listed(payment_reputation), status=_listed(status))
    except ValidationError as err:
        raise InvalidInput(problems_from_errors(err.errors())) from err
    order = [key.strip() for key in sort.split(",") if key.strip()] if sort else screening.DEFAULT_SORT
    return json_response(screening.screen(store=store, filters=filters, sort=order, limit=limit))


@router.get("/accounts/pareto", response_model=screening.Pareto, operation_id="pareto_accounts", tags=["accounts"])
def pareto(
    store: StoreDep, _: Reader,
    share: Annotated[float, Query(gt=0, le=1, description="the head's share of the revenue")] = 0.8,
) -> Response:
    """Which customers make ``share`` of the revenue (the 80/20 rule), largest first."""
    return json_response(screening.revenue_pareto(store=store, share=share))


@router.get("/accounts/{company_id}/map", response_model=accounts.AccountMap, operation_id="get_account_map",
            tags=["accounts"])
def account_map(
    company_id: str, request: Request, store: StoreDep, projection: ProjectionDep, cache: CacheDep, key: Reader,
    as_of: Annotated[date | None, Query(description="the account's people on this day (default: today)")] = None,
    team: Annotated[str | None, Query(description="comma-separated person ids: our team for this map "
                                                 "(default: the persons marked internal)")] = None,
    next_steps: Annotated[int, Query(ge=0, le=50, description="warm paths to uncovered decision-makers")] = 5,
) -> Response:
    """The buying committee of one company by decision layer: influence, our coverage, gaps and next steps."""
    found = accounts.get_account_map(store=store, projection=projection, company_id=company_id, as_of=as_of,
                                     team=_listed(team) if team is not None else None, cache=cache,
                                     next_steps=next_steps, viewer=key.viewer())
    audit_persons(request, [p.id for view in found.layers for p in view.people])
    return json_response(found)


@router.get("/influencers", response_model=accounts.Influencers, operation_id="list_influencers", tags=["accounts"])
def influencers(
    request: Request, store: StoreDep, projection: ProjectionDep, cache: CacheDep, _: Reader,
    toward: Annotated[str | None, Query(description="a company id: who best sways its decision-makers")] = None,
    by: Annotated[accounts.Ranking, Query(description="pagerank, brokers (betweenness) or figures")] = "pagerank",
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> Response:
    """The most influential people, or those best placed to sway the people who sign at ``toward``."""
    found = accounts.list_influencers(store=store, projection=projection, toward=toward, by=by, limit=limit,
                                      cache=cache)
    audit_persons(request, [p.id for p in found.people])
    return json_response(found)
