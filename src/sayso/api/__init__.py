"""``sayso serve``: a REST API (documented by OpenAPI at ``/openapi.json``) and server-rendered pages
over a sayso store: analyse pasted text with highlighted spans, search articles, compare figures across
sources, and see who is quoted.

    from sayso.api import create_app
    app = create_app("corpus.db")          # an ASGI app: uvicorn, hypercorn, or FastAPI's TestClient

FastAPI is imported on first use of :func:`create_app`, not here: the ``sayso`` command imports
``sayso.api._cli`` to register ``serve``, and ``sayso --help`` must stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sayso.api._app import DEFAULT_MAX_BODY, create_app

__all__ = ["DEFAULT_MAX_BODY", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sayso.api import _app

        return getattr(_app, name)
    raise AttributeError(f"module 'sayso.api' has no attribute {name!r}")
