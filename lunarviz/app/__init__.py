"""The desktop viewer (PySide6 + pyvistaqt): the only package where Qt lives.

Importing :mod:`lunarviz.app` itself imports no Qt; :func:`require_qt` checks
for PySide6 and raises a one-line :class:`~lunarviz.errors.LunarvizError`
when it is missing. :mod:`lunarviz.app.playback` is Qt-free so tests and
other front ends can drive playback without a window.
"""

from __future__ import annotations

import sys

from lunarviz.errors import LunarvizError

#: PySide6 releases known to corrupt CPython < 3.12: every void Qt call drops a
#: reference to ``None`` (and Python-defined ``Signal(bool)`` emits drop ``True``/
#: ``False``), so a session aborts with "none_dealloc" after a few thousand calls.
#: Measured here: 6.12.0 loses one reference per ``QLabel.setText``; 6.11.3 none.
BROKEN_PYSIDE6_ON_PY311 = ("6.12.0",)


def _check_pyside_version() -> None:
    if sys.version_info >= (3, 12):
        return  # None/True/False are immortal from 3.12 (PEP 683)
    import PySide6

    if PySide6.__version__ in BROKEN_PYSIDE6_ON_PY311:
        raise LunarvizError(
            f"PySide6 {PySide6.__version__} crashes Python {sys.version_info.major}.{sys.version_info.minor}"
            " (it drops references to None); install another release:"
            " pip install 'PySide6-Essentials>=6.6,<6.12'"
        )


def require_qt() -> None:
    """Raise a clear error if PySide6 / pyvistaqt / pyqtgraph are not importable."""
    missing = []
    for mod in ("PySide6.QtWidgets", "pyvistaqt", "pyqtgraph"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod.split(".")[0])
    if missing:
        raise LunarvizError(
            "the viewer needs " + ", ".join(missing) + ": pip install PySide6-Essentials pyvistaqt pyqtgraph"
            " (or use `lunarviz render` for a video without a window)"
        )
    _check_pyside_version()
