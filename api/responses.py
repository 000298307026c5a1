"""JSON responses of the query and record routes, serialised in the endpoint's own thread."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_response(content: BaseModel, status_code: int = 200) -> Response:
    """``content`` as JSON, for a sync endpoint that already holds its answer as a model.

    Returned as a model, FastAPI would check it against the route's ``response_model``
    again, in one more round trip through the thread pool (about a tenth of a warm-path
    request's throughput); the ``response_model`` still documents the route. Routes that
    answer with plain dicts leave that check to FastAPI: it is what gives them their shape.
    """
    return Response(content.__pydantic_serializer__.to_json(content), status_code=status_code,
                    media_type="application/json")
