"""One watched flight on the web (no Qt, no trame): a scene, a playhead, a camera, a what-if.

A :class:`Session` is what every browser following it sees: ``lunarviz serve``
keeps one for the presenter (all browsers follow it) and one more for each
browser that asks for its own. It draws with the one scene builder
(:func:`lunarviz.render.scene.build` / ``update``, the picture of the video
renderer and the desktop viewer), moves its playhead with the viewer's
:class:`~lunarviz.app.playback.Playback` (wall-clock x speed, an injectable
clock), and builds what-ifs with :meth:`Scenario.replace
<lunarviz.scenario.Scenario.replace>`.

The page may name only shipped scenes (:func:`lunarviz.scenario.shipped_scenes`):
nothing a browser sends becomes a file path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from ..app.playback import CAMERAS, SPEEDS, Playback, event_marks
from ..errors import LunarvizError
from ..formatting import format_l_minus, format_utc

#: the size of the frames sent to the browsers, pixels (each page scales them to its view)
VIEW_SIZE = (1280, 560)
#: where a session's playhead starts (clamped into the flight), as the viewer's default
START_AT = "touchdown-60s"


def check_shipped(name: str) -> str:
    """``name`` if it is a shipped scene, else a one-line :class:`LunarvizError` (never a path)."""
    from ..scenario import shipped_scenes

    names = shipped_scenes()
    if name not in names:
        raise LunarvizError(f"scene {name!r}: the page may open only the shipped scenes: {', '.join(names)}")
    return name


class Session:
    """A flight being watched: ``scene`` (a shipped name or, from the command line, a file)."""

    def __init__(self, scene: str, *, size: tuple[int, int] = VIEW_SIZE, quality: str = "draft",
                 clock: Callable[[], float] = time.monotonic, speed: float = 10.0) -> None:
        from ..render.offscreen import check_headless, make_plotter

        check_headless()
        self.plotter = make_plotter(tuple(size))
        self.quality = quality
        self.camera = CAMERAS[0]
        self.playback = Playback(0.0, 1.0, clock=clock, speed=speed)
        self.handles = None
        self.whatif: dict[str, float] = {}
        self.open(scene)

    # ------------------------------------------------------------ the flight
    def open(self, scene: str, traj=None) -> None:
        """Fly ``scene`` (or show ``traj``) and rebuild the scene; the playhead goes to :data:`START_AT`."""
        from ..commands.flights import load_flight
        from ..render import scene as scene_mod

        traj = traj if traj is not None else load_flight(scene)
        if self.handles is not None:
            scene_mod.dispose(self.handles)
            self.plotter.clear()
        self.scene = scene
        self.traj = traj
        # a shadow re-bake or a detail tile is built in a thread, not in a frame that holds up every browser
        self.handles = scene_mod.build(self.plotter, traj, quality=self.quality, hud=True, async_bake=True)
        self.playback.pause()
        self.playback.set_span(traj.start_et_s, traj.end_et_s)
        self.jump(START_AT)

    def fly_whatif(self, changes: Mapping[str, float]) -> None:
        """Fly this scenario with ``changes`` (the viewer's what-if keys) and show that flight."""
        from ..physics import fly

        base = self.traj.scenario
        new = base.replace(**{k: float(v) for k, v in changes.items()})
        self.whatif = dict(changes)
        self.open(self.scene, fly(new))

    def as_flown(self) -> None:
        """Back to the scenario as written (drop the what-if)."""
        self.whatif = {}
        self.open(self.scene)

    # ---------------------------------------------------------- the playhead
    def jump(self, spec: str | float) -> float:
        """Seek to a time spec (an event name, ``touchdown-20s``) or ET seconds, clamped into the flight."""
        from ..render.timespec import parse_time_spec

        return self.playback.seek(parse_time_spec(spec, self.traj, clamp=True))

    def set_camera(self, name: str) -> None:
        if name not in CAMERAS:
            raise LunarvizError(f"camera {name!r}: expected one of {', '.join(CAMERAS)}")
        self.camera = name

    def set_speed(self, speed: float) -> None:
        if float(speed) not in SPEEDS:
            raise LunarvizError(f"speed {speed!r}: expected one of {', '.join(f'{s:g}' for s in SPEEDS)}")
        self.playback.set_speed(float(speed))

    def frame(self) -> float:
        """Advance the playhead (if playing) and draw the scene at it; returns the ET drawn."""
        from ..render import scene as scene_mod

        et = self.playback.tick()
        scene_mod.update(self.handles, et, self.camera)
        return et

    def ready(self) -> bool:
        """True when something the scene built in the background is done: the next frame shows it."""
        from ..render import scene as scene_mod

        return scene_mod.ready(self.handles)

    # ------------------------------------------------------------- the page
    def events(self) -> list[dict]:
        """The jump list: ``{name, label}`` per event, time ordered."""
        return [{"name": m.name, "label": m.label} for m in event_marks(self.traj.events)]

    def labels(self) -> dict:
        """What the page shows beside the 3D view, for the playhead as drawn."""
        pb = self.playback
        return {
            "utc": format_utc(pb.et_s),
            "l_minus": format_l_minus(pb.et_s, self.traj.planned_touchdown_et_s),
            "fraction": round(pb.fraction, 5),
            "playing": pb.playing,
            "speed": pb.speed,
            "camera": self.camera,
            "scene": self.scene,
            "whatif": ", ".join(f"{k} = {v:g}" for k, v in self.whatif.items()),
        }

    def close(self) -> None:
        from ..render import scene as scene_mod

        if self.handles is not None:
            scene_mod.dispose(self.handles)
        self.plotter.close()
