"""``lunarviz view``: open the viewer window (Qt is imported only here and below)."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from lunarviz.errors import LunarvizError, shown
from lunarviz.i18n import _

#: the hint printed when there is no display to open a window on
NO_DISPLAY_HINT = (
    "no display to open a window on (DISPLAY/WAYLAND_DISPLAY not set): run it under a virtual X server, "
    "e.g. `xvfb-run -a lunarviz view ...`, or make a video without a window with `lunarviz render`"
)


def check_display(environ=os.environ, platform: str = sys.platform) -> None:
    """Raise a one-line LunarvizError when no window can be opened.

    Without a display Qt's xcb plugin aborts the whole process (exit 134), so
    this must run before any QApplication exists.
    """
    if platform.startswith(("win", "darwin")):
        return
    qpa = environ.get("QT_QPA_PLATFORM", "")
    if qpa.startswith(("offscreen", "minimal")):
        raise LunarvizError(
            f"QT_QPA_PLATFORM={qpa} cannot show the 3D view (it needs OpenGL on a display): "
            "unset it and use `xvfb-run -a lunarviz view ...`, or use `lunarviz render`")
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        raise LunarvizError(NO_DISPLAY_HINT)


def qt_application():
    """The QApplication (created once)."""
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    if app is None:
        app = QtWidgets.QApplication(["lunarviz"])
        app.setApplicationName("lunarviz")
    apply_language(app)
    return app


def apply_language(app) -> None:
    """The language in use on the whole application: its font (:func:`lunarviz.i18n.font_file`, loaded with
    QFontDatabase; Qt's own font where none is needed) and its direction (right to left for Hebrew).
    Cheap to call again: every :class:`~lunarviz.app.window.MainWindow` does, for the language in use then."""
    from PySide6 import QtCore, QtGui

    from lunarviz.i18n import font_file, is_rtl, language

    if app.property("lunarviz_default_font") is None:
        app.setProperty("lunarviz_default_font", app.font().toString())
    path = font_file(ui=True)
    font = QtGui.QFont()
    font.fromString(app.property("lunarviz_default_font"))
    if path is not None:
        fid = QtGui.QFontDatabase.addApplicationFont(str(path))
        families = QtGui.QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
        if not families:
            raise LunarvizError(f"font {path} for --lang {language()}: Qt could not load it")
        # a collection (Noto Sans CJK) holds one family per region: the Japanese one for Japanese
        family = next((f for f in families if f.endswith(" JP")), families[0])
        font.setFamily(family)
    app.setFont(font)
    app.setLayoutDirection(QtCore.Qt.LayoutDirection.RightToLeft if is_rtl()
                           else QtCore.Qt.LayoutDirection.LeftToRight)


def close_window(win) -> None:
    """Close a viewer window and free it now (deferred deletes processed; see docs/rendering.md)."""
    from PySide6 import QtCore, QtWidgets

    win.close()
    win.deleteLater()
    QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    QtWidgets.QApplication.processEvents()
    # the closed window's VTK objects sit in reference cycles: free them now, while the display
    # is up, not in whatever later allocation happens to trigger a collection
    gc.collect()


def parse_what_if(items: list[str]) -> dict[str, float]:
    """``["lrf_valid_below_m=3000", ...]`` -> ``{"lrf_valid_below_m": 3000.0}`` (one-line errors)."""
    from .whatif_model import LIMITS

    out: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in LIMITS:
            raise LunarvizError(f"--what-if {shown(item)}: expected KEY=VALUE with KEY one of {', '.join(LIMITS)}")
        try:
            v = float(value)
        except ValueError:
            raise LunarvizError(f"--what-if {shown(item)}: {shown(value)} is not a number") from None
        lo, hi = LIMITS[key]
        if not lo <= v <= hi:
            raise LunarvizError(f"--what-if {shown(item)}: expected {key} from {lo:g} to {hi:g}")
        out[key] = v
    return out


def quit_on_sigterm(loop):
    """Make SIGTERM (a polite kill: ``timeout``, a session manager, ``kill``) leave the event loop ``loop``,
    so the window closes as if the user had closed it (exit 0, exports cancelled). Returns a function that
    restores the previous handler. A timer lets Python run the handler while Qt waits for events."""
    import signal

    from PySide6 import QtCore

    def on_term(_signum, _frame) -> None:
        loop.quit()

    try:
        old = signal.signal(signal.SIGTERM, on_term)
    except (ValueError, OSError):  # not the main thread
        return lambda: None
    timer = QtCore.QTimer()
    timer.timeout.connect(lambda: None)
    timer.start(200)

    def restore() -> None:
        timer.stop()
        signal.signal(signal.SIGTERM, old)

    return restore


def _check_screenshot(args) -> None:
    """A screenshot that cannot be written fails before the window opens."""
    if args.screenshot:
        from lunarviz.fileio import check_writable
        from lunarviz.render.still import check_png_path

        check_png_path(args.screenshot)
        check_writable(args.screenshot)


def _exec(loop) -> None:
    """Run ``loop`` until the window closes or SIGTERM arrives."""
    restore = quit_on_sigterm(loop)
    try:
        loop.exec()
    finally:
        restore()


def _open_window(args) -> tuple:
    """The application, a local event loop quit by closing the window, and the (not yet shown) window."""
    from . import require_qt

    check_display()
    require_qt()
    from PySide6 import QtCore

    from .window import MainWindow

    app = qt_application()
    # a local event loop, not app.exec()/app.quit(): QCoreApplication.quit() would leave Qt's
    # "quit now" flag set and make every later event loop in this process return at once
    loop = QtCore.QEventLoop()
    app.lastWindowClosed.connect(loop.quit)
    return app, loop, MainWindow(speed=args.speed, antialias=getattr(args, "antialias", "paused"),
                                 play_scale=getattr(args, "play_scale", None),
                                 font_scale=getattr(args, "font_scale", 1.0))


def run_kiosk(args, names: list) -> int:
    """``lunarviz view --kiosk [SCENE...]``: the tour, full screen, until the window is closed."""
    from lunarviz import scenario as scenario_mod

    from .scenes import bundled_scenes, resolve_scene

    paths = [resolve_scene(n) for n in names] or bundled_scenes()
    if not paths:
        raise LunarvizError("--kiosk: no scenes to tour (name some, or install the shipped scenes)")
    for p in paths:
        scenario_mod.load(p)  # a bad file fails here, as one line, before any window
    _check_screenshot(args)
    app, loop, win = _open_window(args)
    from PySide6 import QtCore

    from .kiosk import Kiosk

    kiosk = Kiosk(win, paths, idle_s=args.idle)
    win.showFullScreen()
    kiosk.start()
    if args.screenshot or args.quit_after is not None:
        def finish() -> None:
            if args.screenshot:
                print(_("lunarviz view: saved {path}").format(path=win.save_window_png(args.screenshot)))
            loop.quit()
        QtCore.QTimer.singleShot(int(1000 * (args.quit_after if args.quit_after is not None else 2.0)), finish)
    _exec(loop)
    app.lastWindowClosed.disconnect(loop.quit)
    close_window(win)
    return 0


def _lesson_of(args, sc):
    """The scenario's lesson with ``--lesson`` (a one-line error when it has none), else None."""
    if not getattr(args, "lesson", False):
        if getattr(args, "lesson_step", None) is not None:
            raise LunarvizError(_("--lesson-step: only with --lesson"))
        return None
    from lunarviz import scenario as scenario_mod

    if sc.lesson is None:
        with_lessons = [n for n in scenario_mod.shipped_scenes()
                        if "[lesson]" in (scenario_mod.scenes_dir() / f"{n}.toml").read_text(encoding="utf-8")]
        raise LunarvizError(_("--lesson: {path} has no [lesson] table; scenes with a lesson: {names}").format(
            path=sc.path, names=", ".join(with_lessons) or _("none")))
    step = getattr(args, "lesson_step", None)
    if step is not None and not 0 <= step <= len(sc.lesson.steps):
        raise LunarvizError(_("--lesson-step {n}: expected 0 (the intro) to {last}").format(
            n=step, last=len(sc.lesson.steps)))
    for key in ("camera", "at", "what_if", "play"):
        if getattr(args, key, None):
            raise LunarvizError(_("--{option} with --lesson: the lesson sets the time, camera and what-if of "
                                  "each step").format(option=key.replace("_", "-")))
    return sc.lesson


def _start_lesson(win, lesson, path, args, then) -> None:
    """Run ``lesson`` in ``win`` from ``--lesson-step``; ``then()`` once that step is shown (its flights flown)."""
    from .lesson import LessonController

    ctrl = win.lesson = LessonController(win, lesson, path)

    def shown(_stage) -> None:
        ctrl.stage_shown.disconnect(shown)
        then()

    ctrl.stage_shown.connect(shown)
    ctrl.run.go_to_step(getattr(args, "lesson_step", None) or 0)
    from PySide6 import QtCore

    # after the window has finished its own handling of the load (it seeks to its opening shot)
    QtCore.QTimer.singleShot(0, ctrl.start)


def run(args) -> int:
    """Open the window for ``args`` (see :mod:`lunarviz.commands.view`); returns the exit code."""
    from lunarviz import scenario as scenario_mod

    from .playback import CAMERAS
    from .scenes import resolve_scene

    more = list(getattr(args, "more_scenes", None) or [])
    if more and not getattr(args, "kiosk", False):
        raise LunarvizError(f"more than one scene ({args.scene}, {', '.join(more)}): only --kiosk tours several")
    if getattr(args, "kiosk", False):
        from lunarviz.commands.view import UnnamedScene

        if getattr(args, "lesson", False):
            raise LunarvizError(_("--kiosk and --lesson: choose one (a tour for visitors, or a lesson for a class)"))

        return run_kiosk(args, [] if isinstance(args.scene, UnnamedScene) and not more else [args.scene, *more])
    path = resolve_scene(args.scene)
    sc = scenario_mod.load(path)   # a bad file fails here, as one line, before any window
    lesson = _lesson_of(args, sc)
    if args.camera and args.camera not in CAMERAS:
        raise LunarvizError(f"--camera {shown(args.camera)}: expected one of {', '.join(CAMERAS)}")
    changes = parse_what_if(getattr(args, "what_if", None) or [])
    _check_screenshot(args)
    app, loop, win = _open_window(args)
    from PySide6 import QtCore

    if args.presentation:
        win.set_presentation(True)
    win.show()
    outcome = {"code": 0}

    def finish() -> None:
        if args.screenshot:
            try:
                out = win.save_window_png(args.screenshot)
                print(_("lunarviz view: saved {path}").format(path=out))
            except LunarvizError as exc:
                print(_("lunarviz view: error: {message}").format(message=exc), file=sys.stderr)
                outcome["code"] = 2
        loop.quit()

    def on_failed(message: str) -> None:
        if args.screenshot or args.quit_after is not None:
            print(_("lunarviz view: error: {message}").format(message=message.splitlines()[0]), file=sys.stderr)
            outcome["code"] = 2
            loop.quit()

    def ready() -> None:
        if args.play:
            win.play()
        win.draw_frame()
        if args.quit_after is not None:
            QtCore.QTimer.singleShot(int(1000 * args.quit_after), finish)
        elif args.screenshot:
            # let the window lay out and draw a couple of frames first
            QtCore.QTimer.singleShot(700, finish)

    def on_loaded(_traj) -> None:
        win.trajectory_loaded.disconnect(on_loaded)  # once: a lesson may switch scenes later
        plots = getattr(args, "plots", None)
        if lesson is not None:
            _start_lesson(win, lesson, path, args, then=ready)  # its plots show the last minutes ...
            if plots:
                win.telemetry.set_range_mode(plots)              # ... unless --plots says otherwise
            return
        win.telemetry.set_range_mode(plots or "descent")
        if args.camera:
            win.set_camera(args.camera)
        if changes:
            for key, value in changes.items():
                win.whatif.set_value(key, value)
            if win.fly_whatif(changes) is None:
                on_failed("the what-if could not be flown")
            return  # ready() once the what-if is shown
        ready()

    win.trajectory_loaded.connect(on_loaded)
    if changes:
        win.whatif_finished.connect(lambda _t: ready())
    win.load_failed.connect(on_failed)
    win.open_scenario(Path(path), at=args.at)
    _exec(loop)
    app.lastWindowClosed.disconnect(loop.quit)
    close_window(win)
    return outcome["code"]
