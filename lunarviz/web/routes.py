"""The HTTP side of ``lunarviz serve``: the browser limit, the presenter's key and ``/own`` (a session of one's own)."""

from __future__ import annotations

FULL_TEXT = "lunarviz serve: this class is full ({n} browsers connected, --max-clients {n}); try again later\n"
WRONG_KEY_TEXT = "lunarviz serve: that presenter key is not this server's; open the page without ?key= to follow\n"
#: the cookie that marks the presenter's browser (set by ``/?key=KEY``, sent with its websocket)
PRESENTER_COOKIE = "lunarviz_presenter"


def add_routes(app, web_app) -> None:
    """Add the limit (a middleware on the page and its websocket), the presenter's cookie and ``/own``
    to ``web_app`` (aiohttp)."""
    from aiohttp import web

    room = app.room

    @web.middleware
    async def limit(request, handler):
        if request.path in ("/", "/index.html", "/ws", "/own") and room.full():
            return web.Response(status=503, text=FULL_TEXT.format(n=room.max_clients))
        key = request.query.get("key")
        if key is not None and request.path in ("/", "/index.html") and app.locked:
            if key != room.presenter_key:
                return web.Response(status=403, text=WRONG_KEY_TEXT)
            response = await handler(request)
            response.set_cookie(PRESENTER_COOKIE, key, httponly=True, samesite="Strict")
            return response
        return await handler(request)

    async def own(request):
        child = await room.own(app.session.scene)
        host = request.url.host or room.host
        raise web.HTTPSeeOther(f"http://{host}:{child.server.port}/")

    web_app.middlewares.append(limit)
    web_app.router.add_get("/own", own)
