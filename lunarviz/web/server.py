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
(one shared state: what one browser does, all see). ``/own`` gives a browser a
session of its own (a second trame server in the same process, on another
port, started on demand; it stops when its last browser leaves). At most
``max_clients`` browsers are connected at once, over all sessions; the next
gets a one-line "full" page (HTTP 503).

Binds to 127.0.0.1 unless ``host`` is given. The page can open only the shipped
scenes by name (:func:`lunarviz.web.session.check_shipped`); nothing it sends
is used as a path.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from collections.abc import Callable

from ..app.playback import CAMERAS, SPEEDS, format_speed
from ..errors import LunarvizError
from ..i18n import N_
from .session import Session, check_shipped

#: frames per second the server aims at while playing (it sends fewer when a frame takes longer)
TARGET_FPS = 15.0
#: JPEG quality of the frames sent to the browsers
JPEG_QUALITY = 80
#: the what-if fields on the page: (state name, what-if key, label)
WHATIF_FIELDS = (("w_lrf", "lrf_valid_below_m", N_("Rangefinder valid below (m)")),
                 ("w_prop", "propellant_kg", N_("Propellant (kg)")))
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
        self.presenter = App(self, "presenter", scene)

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

    def __init__(self, room: Classroom, name: str, scene: str) -> None:
        from trame.app import get_server

        self.room = room
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
            if self.session.playback.playing:
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
        state, ctrl = self.server.state, self.server.controller
        state.update(s.labels())
        state.update({
            "scenes": shipped_scenes(), "cameras": list(CAMERAS),
            "speeds": [{"title": format_speed(v), "value": v} for v in SPEEDS],
            "events": s.events(), "jump_to": None, "error": "", "frame": "",
            **{k: round(v, 1) for k, v in self._whatif_defaults().items()},
        })
        ctrl.toggle = self._act(lambda: s.playback.toggle())
        ctrl.scrub = self._act(lambda f: s.playback.seek_fraction(float(f)))
        ctrl.fly_whatif = self._act(self._fly_whatif)
        ctrl.as_flown = self._act(self._as_flown)
        state.change("camera")(self._on_value(lambda camera, **_: s.set_camera(camera)))
        state.change("speed")(self._on_value(lambda speed, **_: s.set_speed(speed)))
        state.change("jump_to")(self._on_value(lambda jump_to, **_: jump_to and s.jump(jump_to)))
        state.change("scene")(self._on_value(self._on_scene))

    def _whatif_defaults(self) -> dict:
        from ..app.whatif_model import current_values

        values = current_values(self.session.traj.scenario)
        return {name: values[key] for name, key, _label in WHATIF_FIELDS}

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
        self.session.fly_whatif({key: float(st[name]) for name, key, _label in WHATIF_FIELDS})
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
                          f"at most {max_clients} browsers; Ctrl-C stops)", flush=True))
    server.start(port=port, host=host, open_browser=False, show_connection_info=False, timeout=0)
    return 0
