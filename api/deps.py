"""Annotated dependencies: the store, the projection, and the API key a route requires."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from graph_service.errors import Forbidden, Unauthorized
from graph_service.keys import ApiKey, Scope, authenticate
from graph_service.settings import Settings
from graph_service.store.base import Store

bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer sg_...`")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> Store:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]


def require(scope: Scope):  # noqa: ANN201 - FastAPI dependency factory
    """A dependency that authenticates the caller and checks the scope."""

    def check(store: StoreDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]) -> ApiKey:
        if credentials is None:
            raise Unauthorized("an API key is required: Authorization: Bearer sg_...")
        key = authenticate(store=store, token=credentials.credentials)
        if not key.allows(scope):
            raise Forbidden(f"this key has scope {key.scope!r}; {scope.value!r} is required")
        return key

    return check


Reader = Annotated[ApiKey, Depends(require(Scope.read))]
Writer = Annotated[ApiKey, Depends(require(Scope.write))]
Admin = Annotated[ApiKey, Depends(require(Scope.admin))]
