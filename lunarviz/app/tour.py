"""The kiosk's guided tour (no Qt): which moments of which scenes, from which camera, with what caption.

A tour is a list of :class:`Stop` per scene. Each stop seeks to a time spec,
sets a camera (and which flight it follows), plays at a speed for a number of
wall-clock seconds, and shows a caption. A scene whose rangefinder failed gets
a what-if stop: "what if it had worked?" flies the scenario with the
rangefinder as designed and follows the ghost to its landing.

:class:`TourClock` is the state machine of attract mode: it advances through
the stops on an injected monotonic clock, pauses while a visitor uses the
controls, and resumes after ``idle_s`` seconds without input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lunarviz.i18n import _

#: seconds without input after which the kiosk resumes its tour
KIOSK_IDLE_S = 60.0


@dataclass(frozen=True)
class Stop:
    at: str                 # time spec (``lunarviz.render.timespec``)
    camera: str             # a camera preset
    speed: float            # playback speed
    seconds: float          # wall-clock seconds at this stop
    caption: str
    follow: str = "flown"   # "flown" or "whatif"
    whatif: bool = False    # fly (or show) the rangefinder what-if at this stop


def rangefinder_failed(sc) -> bool:
    """Whether the scenario's rangefinder gave valid ranges later than designed (a what-if is worth telling)."""
    from .whatif_model import lrf_valid_from_m

    return bool(sc.lrf.enabled) and lrf_valid_from_m(sc) < float(sc.lrf.max_range_m)


def stops_for(sc, traj) -> list[Stop]:
    """The tour's stops for one flown scene (time specs are resolved against its flight)."""
    title = _(sc.title) if sc is not None else "lunarviz"
    caps = {k: _(v) for k, v in sc.captions.items()} if sc is not None else {}
    out = []
    if traj.event("powered_descent") is not None:
        braking = caps.get("powered_descent", _("Powered descent: braking towards the site"))
        out.append(Stop("powered_descent-20s", "orbit", 20.0, 10.0, f"{title}\n{braking}"))
    if traj.event("touchdown") is not None:
        out.append(Stop("touchdown-120s", "chase", 5.0, 14.0,
                        caps.get("terminal", _("The last two minutes: the lander drops towards the surface"))))
        out.append(Stop("touchdown-25s", "site", 1.0, 22.0,
                        caps.get("touchdown", _("Touchdown, seen from the landing site"))))
    else:
        out.append(Stop("start", "chase", 10.0, 20.0, title))
    if sc is not None and traj.event("touchdown") is not None and rangefinder_failed(sc):
        out.append(Stop("touchdown-60s", "chase", 2.0, 34.0,
                        _("What if the rangefinder had worked? The purple lander flies the same descent "
                          "with ranges from 3 km up"), follow="whatif", whatif=True))
    return out


class TourClock:
    """Where the tour is, on an injected clock (seconds). No Qt; the kiosk window drives it.

    ``stops_of(scene_index)`` returns the stops of a scene (the scenes may be
    loaded lazily); :meth:`tick` returns ``"next"`` when the current stop is
    over (the caller shows :attr:`stop`), ``"resume"`` when the visitor has been
    idle long enough, else None.
    """

    def __init__(self, n_scenes: int, stops_of: Callable[[int], list[Stop]], *,
                 clock: Callable[[], float], idle_s: float = KIOSK_IDLE_S) -> None:
        if n_scenes < 1:
            raise ValueError("a tour needs at least one scene")
        self.n_scenes = n_scenes
        self.stops_of = stops_of
        self.clock = clock
        self.idle_s = float(idle_s)
        self.scene = 0
        self.index = 0
        self.touring = True
        self._stop_started_s = clock()
        self._last_input_s = -float("inf")

    @property
    def stop(self) -> Stop:
        return self.stops_of(self.scene)[self.index]

    def start_stop(self) -> None:
        self._stop_started_s = self.clock()

    def advance(self) -> None:
        """To the next stop (the next scene after a scene's last stop, looping)."""
        self.index += 1
        if self.index >= len(self.stops_of(self.scene)):
            self.next_scene()
        self.start_stop()

    def next_scene(self) -> None:
        self.scene = (self.scene + 1) % self.n_scenes
        self.index = 0
        self.start_stop()

    def user_input(self) -> None:
        """A visitor touched a control: the tour waits until they have been idle for ``idle_s``."""
        self.touring = False
        self._last_input_s = self.clock()

    def idle_for_s(self) -> float:
        return self.clock() - self._last_input_s

    def tick(self) -> str | None:
        now = self.clock()
        if not self.touring:
            if now - self._last_input_s >= self.idle_s:
                self.touring = True
                self.start_stop()
                return "resume"
            return None
        if now - self._stop_started_s >= self.stop.seconds:
            self.advance()
            return "next"
        return None
