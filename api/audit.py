"""ASGI middleware that writes one audit entry per authenticated request."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_service.audit import AuditLog

PERSON_PARAMS = ("person_id", "to", "a", "b", "referrer_id", "referred_id")


class AuditMiddleware:
    """Records user (or embed token), route, status, time and the persons involved, after the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, capture)
        state = scope.get("state", {})
        key = state.get("api_key")
        user = key.user if key is not None else state.get("audit_user")  # an embed page: its token
        if user is None:
            return
        route = scope.get("route")
        template = getattr(route, "path", scope["path"])
        params = {k: str(v) for k, v in scope.get("path_params", {}).items()}
        persons = list(state.get("audit_persons", []))
        if template.startswith("/people/") and "id" in params:
            persons.append(params["id"])
        persons += [v for k, v in params.items() if k in PERSON_PARAMS]
        log: AuditLog = scope["app"].state.audit
        log.record(user=user, key_id=key.id if key is not None else "", method=scope["method"], route=template, status=status,
                        persons=sorted(set(persons)), params=params)
