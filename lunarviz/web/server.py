"""``lunarviz serve``: the flight in a browser, on trame (Kitware's web framework for VTK).

The server draws the one scene (:mod:`lunarviz.render.scene`, HUD included)
off-screen with VTK, grabs each frame as the video renderer does
(:func:`lunarviz.render.offscreen.grab`), encodes it as a JPEG and sends it
through trame's shared state to every browser of the session, so a Chromebook
needs nothing but a browser (no WebGL). One render per frame, whatever the
number of browsers. (trame's own remote view waits ~0.5 s for its asynchronous
encoder on every frame: measured 2 frames/s here, so it is not used.)
Controls: play/pause, speed, a scrub bar, event jumps, camera presets, the
scene (shipped scenes only) and the what-if (rangefinder, propellant).

Sessions: every browser that opens the page follows the presenter's session
(one shared state: what the presenter does, all see). Only the presenter drives
it: ``serve`` prints a presenter link with a secret key (``/?key=KEY``, a new
key each start); that page sets a cookie, and the presenter's websocket is the
only one whose controls and state changes the server takes (:meth:`App.lock`);
the class's pages show the controls greyed out and a browser that sends
changes anyway changes nothing. ``/own`` gives a browser a session of its own
(a second trame server in the same process, on another port, started on
demand, driven by whoever opened it; it stops when its last browser leaves).
At most ``max_clients`` browsers are connected at once, over all sessions; the
next gets a one-line "full" page (HTTP 503).

Binds to 127.0.0.1 unless ``host`` is given. The page can open only the shipped
scenes by name (:func:`lunarviz.web.session.check_shipped`); nothing it sends
is used as a path.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import secrets
import time
from collections.abc import Callable

from .. import units
from ..app.playback import CAMERAS, SPEEDS, format_speed
from ..errors import LunarvizError
from ..i18n import N_
from .session import Session, check_shipped

#: frames per second the server aims at while playing (it sends fewer when a frame takes longer)
TARGET_FPS = 15.0
#: JPEG quality of the frames sent to the browsers
JPEG_QUALITY = 80
#: the what-if fields on the page: (state name, what-if key, label with its unit, dimension in
#: :mod:`lunarviz.units`: the page shows the units in use, the what-if gets SI)
WHATIF_FIELDS = (("w_lrf", "lrf_valid_below_m", N_("Rangefinder valid below ({unit})"), "altitude"),
                 ("w_prop", "propellant_kg", N_("Propellant ({unit})"), "mass"))
#: the trame calls that change a session (a control's handler, a state change from the page)
DRIVING_RPCS = frozenset({"trame.trigger", "trame.state.update"})
#: true on the presenter's page (opened with ``?key=``): the page greys the controls out elsewhere
PRESENTER_JS = "window.location.search.includes('key=')"
#: an own session stops this many seconds after its last browser left
OWN_TIMEOUT_S = 20


class Classroom:
    """The presenter's app plus the own sessions, and the browser count over all of them."""

    def __init__(self, scene: str, *, host: str = "127.0.0.1", max_clients: int = 30, quality: str = "high",
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_clients < 1:
            raise LunarvizError(f"--max-clients {max_clients}: expected at least 1")
        self.host = host
        self.max_clients = int(max_clients)
        self.clock = clock
        self.quality = quality
        self.apps: list[App] = []
        self._ids = itertools.count(1)
        #: the secret of the presenter's link (``/?key=...``)
        self.presenter_key = secrets.token_urlsafe(12)
        self.presenter = App(self, "presenter", scene, locked=True)

    def presenter_url(self, url: str) -> str:
        """The presenter's link for the page at ``url``."""
        return f"{url}?key={self.presenter_key}"

    def clients(self) -> int:
        return sum(app.clients() for app in self.apps)

    def full(self) -> bool:
        return self.clients() >= self.max_clients

    async def own(self, scene: str) -> App:
        """A new session on ``scene`` (a shipped scene, or the presenter's), on a free port."""
        app = App(self, f"own-{next(self._ids)}", scene)
        app.server.start(exec_mode="task", port=0, host=self.host, open_browser=False,
                         show_connection_info=False, timeout=OWN_TIMEOUT_S)
        await app.server.ready
        return app


def jpeg_data_url(plotter) -> str:
    """Render ``plotter`` and return the frame as a ``data:image/jpeg;base64,...`` URL."""
    import base64
    import io

    from PIL import Image

    from ..render.offscreen import grab

    buf = io.BytesIO()
    Image.fromarray(grab(plotter)).save(buf, format="JPEG", quality=JPEG_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class App:
    """One trame server showing one :class:`Session`."""

    def __init__(self, room: Classroom, name: str, scene: str, *, locked: bool = False) -> None:
        """``locked``: only the presenter's browsers drive it (:meth:`lock`); an own session is driven
        by whoever opened it."""
        from trame.app import get_server

        self.room = room
        self.locked = locked
        self.drivers: set[str] = set()
        self.session = Session(scene, clock=room.clock, quality=room.quality)
        self.server = get_server(f"lunarviz-{name}", client_type="vue3")
        cli = self.server.cli  # trame would read sys.argv (lunarviz's own arguments): give it none
        cli.parse_known_args = functools.partial(type(cli).parse_known_args, cli, [])
        self.ready = False
        self._ws = None
        self._loop_task = None
        room.apps.append(self)
        self._bind_state()
        self._build_ui()
        self.server.controller.on_server_bind.add(self._on_bind)
        self.server.controller.on_server_ready.add(self._on_ready)
        self.server.controller.on_server_exited.add(self._on_exit)

    # ------------------------------------------------------------ lifecycle
    def clients(self) -> int:
        if self._ws is None:
            return 0
        return sum(len(h.connections) for h in self._ws._ws_handlers)

    def _on_bind(self, wslink_server) -> None:
        from .routes import add_routes

        self._ws = wslink_server
        add_routes(self, wslink_server.app)
        if self.locked:
            for handler in wslink_server._ws_handlers:
                self.lock(handler)

    def lock(self, handler) -> None:
        """Take controls and state changes only from the presenter's websockets (those whose page
        was opened with the key: :data:`~.routes.PRESENTER_COOKIE`); the others only watch."""
        from .routes import PRESENTER_COOKIE

        drivers = self.drivers
        connect, complete, close = handler.onConnect, handler.onCompleteMessage, handler.onClose

        async def on_connect(request, client_id):
            if request.cookies.get(PRESENTER_COOKIE) == self.room.presenter_key:
                drivers.add(client_id)
            await connect(request, client_id)

        async def on_complete(rpc, client_id):
            if rpc.get("method") in DRIVING_RPCS and client_id not in drivers:
                return  # a follower's click or edit: the presenter's session stays as it is
            await complete(rpc, client_id)

        async def on_close(client_id):
            drivers.discard(client_id)
            await close(client_id)

        handler.onConnect, handler.onCompleteMessage, handler.onClose = on_connect, on_complete, on_close

    def _on_ready(self, **_kwargs) -> None:
        self.ready = True
        self.push()
        self._loop_task = asyncio.ensure_future(self._play_loop())

    def _on_exit(self, **_kwargs) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
        if self in self.room.apps and self is not self.room.presenter:
            self.room.apps.remove(self)
            self.session.close()

    async def _play_loop(self) -> None:
        period = 1.0 / TARGET_FPS
        while True:
            t0 = time.perf_counter()
            # paused, it still draws once a tile or a shadow bake built in the background is done
            if self.session.playback.playing or self.session.ready():
                self.push()
            await asyncio.sleep(max(0.005, period - (time.perf_counter() - t0)))

    def push(self) -> None:
        """Draw the session at its playhead; send the frame and the labels to every browser."""
        self.session.frame()
        frame = jpeg_data_url(self.session.plotter)
        with self.server.state as state:
            state.update(self.session.labels())
            state.frame = frame

    # ---------------------------------------------------------------- state
    def _bind_state(self) -> None:
        from ..scenario import shipped_scenes

        s = self.session
        state = self.server.state
        state.update(s.labels())
        state.update({
            "scenes": shipped_scenes(), "cameras": list(CAMERAS),
            "speeds": [{"title": format_speed(v), "value": v} for v in SPEEDS],
            "events": s.events(), "jump_to": None, "error": "", "frame": "",
            **{k: round(v, 1) for k, v in self._whatif_defaults().items()},
        })
        # named triggers: the page calls trigger('toggle'), ... (a stable name for every page and test)
        for name, fn in (("toggle", lambda: s.playback.toggle()),
                         ("scrub", lambda f: s.playback.seek_fraction(float(f))),
                         ("fly_whatif", self._fly_whatif), ("as_flown", self._as_flown)):
            self.server.trigger(name)(self._act(fn))
        state.change("camera")(self._on_value(lambda camera, **_: s.set_camera(camera)))
        state.change("speed")(self._on_value(lambda speed, **_: s.set_speed(speed)))
        state.change("jump_to")(self._on_value(lambda jump_to, **_: jump_to and s.jump(jump_to)))
        state.change("scene")(self._on_value(self._on_scene))

    def _whatif_defaults(self) -> dict:
        from ..app.whatif_model import current_values

        values = current_values(self.session.traj.scenario)
        return {name: round(float(units.convert(values[key], dim)), 1)
                for name, key, _label, dim in WHATIF_FIELDS}

    def _act(self, fn):
        """A control's handler: errors become the page's one-line message, then the frame is pushed."""
        def handler(*args):
            try:
                fn(*args)
                self.server.state.error = ""
            except LunarvizError as exc:
                self.server.state.error = str(exc)
            self.push()
        return handler

    def _on_value(self, fn):
        def handler(**kwargs):
            if not self.ready:
                return  # the initial values, before the server runs
            self._act(lambda: fn(**kwargs))()
        return handler

    def _on_scene(self, scene, **_kwargs) -> None:
        if scene != self.session.scene:
            self.session.open(check_shipped(scene))
            self._refresh_flight()

    def _fly_whatif(self) -> None:
        st = self.server.state
        self.session.fly_whatif({key: float(units.to_si(float(st[name]), dim))
                                 for name, key, _label, dim in WHATIF_FIELDS})
        self._refresh_flight()

    def _as_flown(self) -> None:
        self.session.as_flown()
        self._refresh_flight()

    def _refresh_flight(self) -> None:
        self.server.state.events = self.session.events()

    # ------------------------------------------------------------------- UI
    def _build_ui(self) -> None:
        from .page import build_page

        build_page(self)


def serve(scene: str, *, host: str = "127.0.0.1", port: int = 8080, max_clients: int = 30,
          quality: str = "high") -> int:
    """Run the classroom server until interrupted (``lunarviz serve``)."""
    room = Classroom(scene, host=host, max_clients=max_clients, quality=quality)
    server = room.presenter.server
    server.controller.on_server_ready.add(
        lambda **_: print(f"lunarviz serve: http://{host}:{server.port}/  ({room.presenter.session.scene}; "
                          f"at most {max_clients} browsers; Ctrl-C stops)\n"
                          f"lunarviz serve: presenter (drives every browser; keep it to yourself): "
                          f"{room.presenter_url(f'http://{host}:{server.port}/')}", flush=True))
    server.start(port=port, host=host, open_browser=False, show_connection_info=False, timeout=0)
    return 0
