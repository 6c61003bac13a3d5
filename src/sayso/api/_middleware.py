"""Pure ASGI middleware: the request-body size limit and the security headers on every response.

Written as raw ASGI (not ``BaseHTTPMiddleware``) so that the body limit can answer 413 *before* the body
is read: a declared ``Content-Length`` over the limit is refused at once, and a streamed (chunked) body is
counted as it arrives and refused as soon as it passes the limit, without buffering the rest.
"""

from __future__ import annotations

import html
import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Sent on every response. The pages use no inline script or style, so a strict CSP costs nothing and
#: makes an injected ``<script>`` inert even if escaping were ever bypassed.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit. An ``HTTPException`` so that a
    handler already parsing the body (FastAPI turns other parse errors into 400) reports it as 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_detail(limit))
        self.limit = limit


def too_large_detail(limit: int) -> str:
    return f"Request body too large: the limit is {limit:,} bytes (sayso serve --max-body)."


def _wants_html(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    if path.startswith("/api/"):
        return False
    for name, value in scope.get("headers", []):
        if name == b"accept":
            return b"text/html" in value
    return False


async def send_413(scope: Scope, send: Send, limit: int) -> None:
    """A 413 in the form the client asked for: an HTML page for a browser form, JSON for the API."""
    detail = too_large_detail(limit)
    if _wants_html(scope):
        body = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>413 Request too large</title>"
            '<link rel=stylesheet href="/static/sayso.css"></head><body><main><h1>Request too large</h1>'
            f"<p>{html.escape(detail)}</p><p><a href=/analyse>Back</a></p></main></body></html>"
        ).encode()
        content_type = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"detail": detail, "limit": limit}).encode()
        content_type = b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Refuses request bodies over ``limit`` bytes with 413, checking the header first, then the stream."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.limit:
                    await send_413(scope, send, self.limit)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await send_413(scope, send, self.limit)
