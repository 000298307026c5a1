"""An API client on each store, with keys of every scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph_service import keys
from graph_service.keys import Scope
from graph_service.settings import Settings
from graph_service.store.base import Store


@dataclass
class Api:
    client: TestClient
    store: Store
    tokens: dict[Scope, str]

    def headers(self, scope: Scope = Scope.admin) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[scope]}"}


@pytest.fixture
def api(settings: Settings, store: Store) -> Iterator[Api]:
    tokens = {scope: keys.create(store=store, user=f"{scope.value}-user", scope=scope)[1] for scope in Scope}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, store, tokens)
