"""Warm introduction paths: ``POST /intro-paths``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import ProjectionDep, Reader, audit_persons
from api.responses import json_response
from api.schemas import ERRORS
from graph_service.intros import IntroRequest, IntroResult, find_intro_paths

router = APIRouter(responses=ERRORS)


@router.post("/intro-paths", response_model=IntroResult, operation_id="intro_paths", tags=["intros"])
def intro_paths(request: Request, body: IntroRequest, projection: ProjectionDep, key: Reader) -> Response:
    """The best chains of ties from our team (or given persons) to a person, or to a company's current
    employees in the decision layers asked, best first, every hop explained. Unknown ids give 404;
    impossible options (k = 0, more than 6 hops, no or two targets) 422. No path: an empty list and
    the reason. Someone else's private tie shows as "a private contact of OWNER: ask them", without the
    person it reaches, its strength or its evidence."""
    result = find_intro_paths(projection=projection, request=body, viewer=key.viewer())
    audit_persons(request, sorted({hop.target.id for path in result.paths for hop in path.hops if hop.target}))
    return json_response(result)
