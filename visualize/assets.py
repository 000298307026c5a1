"""Static assets of the views: served once, cached for long, never inlined in a view's page.

``vis-network.min.js`` is the copy pyvis ships (``pyvis/lib/vis-9.1.2``);
``sgraph-view.js`` and ``sgraph-view.css`` are ours. The API serves them under
one prefix (``/static/<name>``) with ``Cache-Control: public, max-age=31536000,
immutable``; pages ask for ``<name>?v=<version>``, so a new release gets new URLs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyvis

from graph_service.errors import NotFound

VIS_NETWORK = "vis-network.min.js"
VIEW_JS = "sgraph-view.js"
VIEW_CSS = "sgraph-view.css"
CACHE_CONTROL = "public, max-age=31536000, immutable"

_SOURCE_MAP = re.compile(rb"\n?//# sourceMappingURL=\S+\s*$")


@dataclass(frozen=True)
class Asset:
    name: str
    content: bytes
    media_type: str
    version: str


@lru_cache
def vis_network_js() -> bytes:
    """vis-network 9.1.2 as shipped by pyvis, without its source-map link (it would be a request to nowhere)."""
    path = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / VIS_NETWORK
    return _SOURCE_MAP.sub(b"\n", path.read_bytes())


def _own(name: str) -> bytes:
    return resources.files("visualize").joinpath("static", name).read_bytes()


@lru_cache
def view_js() -> bytes:
    return _own(VIEW_JS)


@lru_cache
def view_css() -> bytes:
    return _own(VIEW_CSS)


def _asset(name: str, content: bytes, media_type: str) -> Asset:
    return Asset(name, content, media_type, hashlib.blake2b(content, digest_size=6).hexdigest())


@lru_cache
def assets() -> dict[str, Asset]:
    """Every static asset by name."""
    return {
        VIS_NETWORK: _asset(VIS_NETWORK, vis_network_js(), "text/javascript; charset=utf-8"),
        VIEW_JS: _asset(VIEW_JS, view_js(), "text/javascript; charset=utf-8"),
        VIEW_CSS: _asset(VIEW_CSS, view_css(), "text/css; charset=utf-8"),
    }


def get_or_raise(name: str) -> Asset:
    """The asset called ``name``; NotFound for anything else (no path is ever read from a request)."""
    try:
        return assets()[name]
    except KeyError as err:
        raise NotFound("asset", name) from err


def url(static_url: str, name: str) -> str:
    """The versioned URL of an asset under ``static_url`` (e.g. ``/static``)."""
    return f"{static_url.rstrip('/')}/{name}?v={get_or_raise(name).version}"
