"""Opening and closing viewer windows in tests (pytest-qt under Xvfb)."""

from __future__ import annotations

import contextlib

#: how long a new window may take to be shown (Xvfb + llvmpipe on a loaded CI machine can take
#: far longer than pytest-qt's 5 s default; returns as soon as the window is exposed)
EXPOSE_MS = 60_000


@contextlib.contextmanager
def opened_window(qtbot, size: tuple[int, int] | None = None, **kw):
    """A shown viewer window, closed and freed at the end whatever happened while it was set up.

    A window left open by a failed setup is otherwise freed by a later garbage collection,
    in the middle of another window's scene build, and its OpenGL widget goes down with it."""
    from lunarviz.app.main import close_window
    from lunarviz.app.window import MainWindow

    w = MainWindow(**kw)
    try:
        if size is not None:
            w.resize(*size)
        w.show()
        qtbot.waitExposed(w, timeout=EXPOSE_MS)
        yield w
    finally:
        close_window(w)
