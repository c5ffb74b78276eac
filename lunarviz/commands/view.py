"""``lunarviz view``: the desktop viewer window.

Examples::

    lunarviz view                                   # the default scene, resilience
    lunarviz view resilience --at lrf_first_valid --camera chase
    xvfb-run -a lunarviz view --screenshot window.png   # no monitor: a virtual X server
    lunarviz view --kiosk                           # attract mode: a tour of all shipped scenes
    lunarviz view --lesson resilience               # a lesson: predict, observe, explain
"""

from __future__ import annotations

import argparse

from ..errors import LunarvizError, shown
from ..i18n import _
from . import add_scene_argument

#: the longest --quit-after, s (a day: a kiosk or a scripted screenshot, not a timer overflow)
MAX_QUIT_AFTER_S = 86400.0


def _positive(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {shown(text)}") from None
    if not 0 <= v <= MAX_QUIT_AFTER_S:
        raise argparse.ArgumentTypeError(f"expected seconds from 0 to {MAX_QUIT_AFTER_S:g}, got {shown(text)}")
    return v


def _speed(text: str) -> float:
    try:
        v = float(text.rstrip("xX"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a speed like 10 or 0.5x, got {shown(text)}") from None
    if not 0.1 <= v <= 1000:
        raise argparse.ArgumentTypeError(f"expected a speed from 0.1 to 1000, got {shown(text)}")
    return v


class UnnamedScene(str):
    """The default ``SCENE`` when none was typed (equal to the name, but recognisable)."""


def _play_scale(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0.3 to 1, got {text!r}") from None
    if not 0.3 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0.3 to 1, got {text!r}")
    return v


def _font_scale(text: str) -> float:
    from ..app.textsize import FONT_SCALES, check_font_scale

    try:
        return check_font_scale(float(text))
    except (ValueError, LunarvizError):
        lo, hi = FONT_SCALES
        raise argparse.ArgumentTypeError(_("expected a number from {lo} to {hi}, got {text}").format(
            lo=f"{lo:g}", hi=f"{hi:g}", text=repr(text))) from None


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "view",
        help=_("open the desktop viewer: play, scrub, switch cameras, plot telemetry, fly what-ifs"),
        description=_("Open the desktop viewer window (PySide6). Needs a display; on a machine without one "
                    "use `xvfb-run -a lunarviz view ...` or make a video with `lunarviz render`."),
        epilog=_("Keys: Space play/pause, Left/Right step a frame, Shift+Left/Right 10 s, 1-5 cameras, "
               "F fullscreen, P presentation mode, [ ] speed, N next event."),
    )
    add_scene_argument(p)
    # the same default, marked as not typed: with --kiosk and no SCENE the tour takes every shipped scene
    p.set_defaults(scene=UnnamedScene(p.get_default("scene")))
    p.add_argument("more_scenes", metavar="SCENE...", nargs="*", default=[],
                   help=_("with --kiosk: more scenes for the tour"))
    p.add_argument("--at", metavar="T", default=None,
                   help=_("start at T: an event name (e.g. lrf_first_valid, touchdown), a UTC time, "
                        "seconds from the start, or another time spec that `lunarviz render` accepts"))
    p.add_argument("--camera", metavar="NAME", default=None,
                   help=_("camera preset: chase, orbit, site, earthrise or down (default chase)"))
    p.add_argument("--speed", type=_speed, default=10.0, metavar="X",
                   help=_("playback speed, 0.1 to 1000 times real time (default 10)"))
    p.add_argument("--play", action="store_true", help=_("start playing at once"))
    p.add_argument("--presentation", action="store_true", help=_("start in presentation mode (large text)"))
    p.add_argument("--font-scale", dest="font_scale", type=_font_scale, default=1.0, metavar="S",
                   help=_("every text (panels, plots, HUD) S x its size (0.75 to 3; "
                          "Ctrl+plus / Ctrl+minus in the window; presentation mode enlarges it further)"))
    p.add_argument("--what-if", dest="what_if", action="append", default=[], metavar="KEY=VALUE",
                   help=_("fly a what-if beside the scenario once it is shown (repeatable); KEY is one of "
                        "lrf_valid_below_m, propellant_kg, main_thrust_n, site_lat_deg, site_lon_deg, "
                        "e.g. --what-if lrf_valid_below_m=3000"))
    p.add_argument("--plots", choices=("descent", "last10", "whole", "follow"), default=None,
                   help=_("time span of the telemetry plots: from the deorbit burn, the last 10 minutes, the "
                          "whole scenario, or 2 minutes either side of the playhead (default descent; last10 "
                          "with --lesson)"))
    p.add_argument("--antialias", choices=("paused", "always", "never"), default="paused",
                   help=_("MSAA in the 3D view: only on a paused picture (default; it costs ~1.5-2x per frame "
                        "on software OpenGL), always, or never"))
    p.add_argument("--play-scale", type=_play_scale, default=None, metavar="S",
                   help=_("while playing, draw this share (0.3 to 1) of the 3D view's width and height and "
                          "stretch it: fewer pixels per frame on software OpenGL; a paused frame is always full size "
                          "(default 1)"))
    p.add_argument("--kiosk", action="store_true",
                   help=_("attract mode for a museum screen: full screen, a guided tour looping through the scenes "
                        "(all shipped scenes if none is named), large buttons, the tour resumes after "
                        "--idle seconds without input"))
    p.add_argument("--idle", type=_positive, default=60.0, metavar="SECONDS",
                   help=_("with --kiosk: seconds without input before the tour resumes (default 60)"))
    p.add_argument("--lesson", action="store_true",
                   help=_("run SCENE's lesson ([lesson] in the scenario file): the flight pauses at each step's "
                          "moment with a question; Right/PageDown reveals and goes on, Left/PageUp goes back"))
    p.add_argument("--lesson-step", dest="lesson_step", type=int, default=None, metavar="N",
                   help=_("with --lesson: open on step N's question (0 = the intro)"))
    p.add_argument("--screenshot", metavar="PNG", default=None,
                   help=_("save the whole window as a PNG once it has drawn (at --quit-after if given), then quit"))
    p.add_argument("--quit-after", type=_positive, metavar="SECONDS", default=None,
                   help=_("quit this many seconds after the scenario is shown"))
    p.set_defaults(func=handle)


def handle(args) -> int:
    from ..app.main import run  # Qt stays out of `lunarviz --help`

    return run(args)
