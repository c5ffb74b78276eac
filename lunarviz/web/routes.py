"""The HTTP side of ``lunarviz serve``: the browser limit and ``/own`` (a session of one's own)."""

from __future__ import annotations

FULL_TEXT = "lunarviz serve: this class is full ({n} browsers connected, --max-clients {n}); try again later\n"


def add_routes(app, web_app) -> None:
    """Add the limit (a middleware on the page and its websocket) and ``/own`` to ``web_app`` (aiohttp)."""
    from aiohttp import web

    room = app.room

    @web.middleware
    async def limit(request, handler):
        if request.path in ("/", "/index.html", "/ws", "/own") and room.full():
            return web.Response(status=503, text=FULL_TEXT.format(n=room.max_clients))
        return await handler(request)

    async def own(request):
        child = await room.own(app.session.scene)
        host = request.url.host or room.host
        raise web.HTTPSeeOther(f"http://{host}:{child.server.port}/")

    web_app.middlewares.append(limit)
    web_app.router.add_get("/own", own)
