"""Graph views people look at, and other tools embed: HTML pages, exports, static assets and embed tokens.

``GET /views/...`` (read scope) draws a view as a page (``format=html``, the
default) or exports the same graph as ``json``, ``gexf`` (Gephi) or ``graphml``
(Cytoscape, yEd); PNG is made in the browser by the page's PNG button. Pages run
under a strict Content-Security-Policy and load their scripts from ``/static``
(public, cached for a year, versioned URLs).

Embeds: ``POST /embeds`` (write scope) mints a signed, expiring token for one
view with fixed parameters; ``GET /embed/{token}`` shows that page to whoever
holds the token, without an API key, inside the sites ``frame_ancestors``
allows; ``DELETE /embeds/{token_id}`` revokes it for every worker (the revoked
ids live in the store's ``embed_revocations`` documents).

Building the views is :mod:`api.views_glue`; here only HTTP.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api import views_glue
from api.deps import Reader, SettingsDep, StoreDep, Writer, audit_persons, projection_of
from api.routes.accounts import results_cache_of
from api.routes.moves import get_feed_index
from api.schemas import ERRORS
from graph_service.access import Viewer
from graph_service.errors import InvalidInput, Problem
from graph_service.model import Day, DecisionLayer
from graph_service.settings import Settings
from graph_service.store.base import Store
from visualize import assets, embed, export, render

router = APIRouter()

Format = Literal["html", "json", "gexf", "graphml"]
FormatQuery = Annotated[Format, Query(description="html (the page; PNG from its button), json, gexf or graphml")]
REVOCATIONS = "embed_revocations"
MAX_EMBED_TTL = timedelta(days=30)
TOKEN_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
VIEW_RESPONSES = {
    **ERRORS,
    200: {"description": "The view as a page or an export", "content": {
        "text/html": {}, **{media_type: {} for media_type in export.FORMATS.values()}}},
}
PAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@lru_cache
def _development_secret() -> str:
    return secrets.token_urlsafe(32)


def embed_secret(settings: Settings) -> str:
    """The key embed tokens are signed with: ``settings.embed_secret``.

    Outside production it may be unset; each process then makes up a random one on
    first use, so tokens stop working when the process restarts and only work on the
    worker that minted them. Production refuses to start without a secret (see
    :class:`graph_service.settings.Settings`).
    """
    if settings.embed_secret is not None:
        return settings.embed_secret.get_secret_value()
    return _development_secret()


def _static_url(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}/static"


def _build(request: Request, store: Store, viewer: Viewer, params: views_glue.ViewParams) -> views_glue.BuiltView:
    """Build a view from the app's one projection, results cache and feed index (each made on first use)."""
    if isinstance(params, views_glue.TalentFlowParams):
        built = views_glue.build_view(params, store=store, viewer=viewer, feed_index=get_feed_index(request, store))
    else:
        built = views_glue.build_view(params, store=store, viewer=viewer, projection=projection_of(request),
                                      cache=results_cache_of(request))
    audit_persons(request, built.persons)
    return built


def _page(request: Request, built: views_glue.BuiltView, frame_ancestors: str) -> HTMLResponse:
    html = render.render_html(built.graph, static_url=_static_url(request))
    return HTMLResponse(html, headers={**PAGE_HEADERS,
                                       "Content-Security-Policy": render.content_security_policy(frame_ancestors)})


def _respond(request: Request, store: Store, viewer: Viewer, params: views_glue.ViewParams,
             format: Format) -> Response:
    built = _build(request, store, viewer, params)
    if format == "html":
        return _page(request, built, "'none'")
    body, media_type = export.export(built.graph, format)
    return Response(body, media_type=media_type, headers={
        **PAGE_HEADERS, "Content-Disposition": f'attachment; filename="{built.filename}.{format}"'})


def _params(view: str, **values: object) -> views_glue.ViewParams:
    return views_glue.parse_params(view, {key: value for key, value in values.items() if value is not None})


# -- views --------------------------------------------------------------------------------------


@router.get("/views/paths", response_class=Response, responses=VIEW_RESPONSES, operation_id="view_paths",
            tags=["views"])
def view_paths(
    request: Request, store: StoreDep, key: Reader,
    person_id: Annotated[str | None, Query(description="the target person")] = None,
    company_id: Annotated[str | None, Query(description="the target company: its current employees")] = None,
    layers: Annotated[str | None, Query(description="with company_id: comma-separated decision layers "
                                                    f"({', '.join(layer.value for layer in DecisionLayer)})")] = None,
    sources: Annotated[str | None, Query(description="comma-separated person ids (default: our team)")] = None,
    k: Annotated[int, Query(ge=1, le=20, description="how many paths")] = 3,
    max_hops: Annotated[int, Query(ge=1, le=6, description="longest path, in ties")] = 4,
    format: FormatQuery = "html",
) -> Response:
    """Warm paths from our team to a person or a company's people, each hop labelled with its evidence."""
    params = _params("paths", person_id=person_id, company_id=company_id, layers=layers, sources=sources, k=k,
                     max_hops=max_hops)
    return _respond(request, store, key.viewer(), params, format)


@router.get("/views/network/{person_id}", response_class=Response, responses=VIEW_RESPONSES,
            operation_id="view_network", tags=["views"])
def view_network(
    request: Request, person_id: str, store: StoreDep, key: Reader,
    depth: Annotated[int, Query(ge=1, le=2, description="1: the person's ties; 2: also theirs")] = 1,
    cap: Annotated[int, Query(ge=1, le=views_glue.MAX_CAP, description="most ties drawn per person")] = 30,
    format: FormatQuery = "html",
) -> Response:
    """A person's network, strongest ties first; the rest of each person's ties as one "N more" node."""
    return _respond(request, store, key.viewer(), _params("network", person_id=person_id, depth=depth, cap=cap), format)


@router.get("/views/account/{company_id}", response_class=Response, responses=VIEW_RESPONSES,
            operation_id="view_account", tags=["views"])
def view_account(
    request: Request, company_id: str, store: StoreDep, key: Reader,
    as_of: Annotated[Day | None, Query(description="the account's people on this day (default: today)")] = None,
    format: FormatQuery = "html",
) -> Response:
    """An account map drawn top-down: decision-makers, executors, users and influencers, then our team."""
    return _respond(request, store, key.viewer(), _params("account", company_id=company_id, as_of=as_of), format)


@router.get("/views/talent-flow", response_class=Response, responses=VIEW_RESPONSES,
            operation_id="view_talent_flow", tags=["views"])
def view_talent_flow(
    request: Request, store: StoreDep, key: Reader,
    since: Annotated[Day | None, Query(description="moves dated on or after this day")] = None,
    until: Annotated[Day | None, Query(description="moves dated on or before this day")] = None,
    company_id: Annotated[str | None, Query(description="only moves into or out of this company")] = None,
    format: FormatQuery = "html",
) -> Response:
    """Companies joined by the job moves between them over a period (arrow width: number of moves)."""
    return _respond(request, store, key.viewer(), _params("talent_flow", since=since, until=until, company_id=company_id), format)


# -- static assets ------------------------------------------------------------------------------


@router.get("/static/{name}", response_class=Response, operation_id="get_static_asset", tags=["views"],
            responses={404: ERRORS[404], 422: ERRORS[422], 200: {"description": "The asset", "content": {
                "text/javascript": {}, "text/css": {}}}})
def static_asset(name: str, v: Annotated[str | None, Query(
        max_length=64, description="the asset's version: pages ask for versioned URLs, so a new version is a new URL")] = None,
                 ) -> Response:
    """The scripts and style of the view pages; public, cached for a year (pages ask for versioned URLs)."""
    asset = assets.get_or_raise(name)
    return Response(asset.content, media_type=asset.media_type, headers={
        "Cache-Control": assets.CACHE_CONTROL, "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin"})


# -- embeds -------------------------------------------------------------------------------------


class EmbedIn(BaseModel):
    """One view with fixed parameters, shown without an API key until ``ttl_seconds`` have passed."""

    view: Literal["paths", "network", "account", "talent_flow"]
    params: dict[str, str | int | bool | list[str]] = Field(
        {}, description="the view's query parameters (and person_id or company_id of the path)")
    ttl_seconds: int = Field(7 * 86_400, ge=60, le=int(MAX_EMBED_TTL.total_seconds()))


class EmbedOut(BaseModel):
    url: str
    """Relative to the API's origin: ``/embed/<token>``; put it in an iframe's ``src``."""
    token: str
    token_id: str
    """For ``DELETE /embeds/{token_id}``."""
    view: str
    params: dict[str, str]
    expires_at: datetime


def _is_revoked(store: Store, token_id: str) -> bool:
    return store.read(lambda tx: tx.get_doc(REVOCATIONS, token_id)) is not None


@router.post("/embeds", response_model=EmbedOut, status_code=201, responses=ERRORS, operation_id="create_embed",
             tags=["views"])
def create_embed(body: EmbedIn, request: Request, settings: SettingsDep, key: Writer) -> EmbedOut:
    """A signed token that shows one view with these parameters, and nothing else, until it expires or is revoked.
    The page shows what its creator may see, and every view of it is audited under the token's id."""
    params = views_glue.parse_params(body.view, body.params)
    minted = embed.mint(secret=embed_secret(settings), view=body.view, params=views_glue.canonical(params),
                        ttl=timedelta(seconds=body.ttl_seconds), viewer=key.viewer().id)
    grant = minted.grant
    url = f"{request.scope.get('root_path', '')}/embed/{minted.token}"
    return EmbedOut(url=url, token=minted.token, token_id=grant.token_id, view=grant.view, params=grant.params,
                    expires_at=grant.expires_at)


@router.get("/embed/{token}", response_class=HTMLResponse, operation_id="get_embed", tags=["views"],
            responses={**{status: ERRORS[status] for status in (401, 403, 404, 422, 503)},
                       200: {"description": "The view's page", "content": {"text/html": {}}}})
def get_embed(token: Annotated[str, Path(max_length=4096)], request: Request, store: StoreDep,
              settings: SettingsDep) -> HTMLResponse:
    """The page of an embed token, without an API key; 401 for a tampered, expired or revoked token, 422 with
    any query parameter (a token shows its own view and parameters only)."""
    grant = embed.verify(token, secret=embed_secret(settings), is_revoked=lambda id: _is_revoked(store, id))
    request.state.audit_user = f"embed {grant.token_id} of {grant.viewer}"
    built = _build(request, store, Viewer(id=grant.viewer), views_glue.parse_params(grant.view, grant.params))
    return _page(request, built, settings.frame_ancestors)


@router.delete("/embeds/{token_id}", status_code=204, responses=ERRORS, operation_id="delete_embed", tags=["views"])
def delete_embed(token_id: str, store: StoreDep, key: Writer) -> Response:
    """Revoke an embed token on every worker at once; revoking again changes nothing."""
    if not TOKEN_ID.match(token_id):
        raise InvalidInput(Problem("token_id", "not an embed token id"))
    doc = {"id": token_id, "revoked_at": datetime.now(timezone.utc).isoformat(), "by": key.user}
    store.write(lambda tx: tx.put_doc(REVOCATIONS, token_id, doc))
    return Response(status_code=204)
