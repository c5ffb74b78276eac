"""User-facing error types.

Every error a person can cause (a bad scenario file, a time outside kernel
coverage, a missing asset) is raised as a :class:`LunarvizError` subclass whose
message is one self-contained line naming the file, key or value and what was
expected. The CLI prints that line and exits with status 2; it never shows a
traceback for these.
"""


class LunarvizError(Exception):
    """Base class for errors reported to the user as one line."""


class KernelError(LunarvizError):
    """A SPICE kernel is missing, corrupted or does not cover a request."""


class TimeError(LunarvizError):
    """A time string or time specification could not be understood."""


class ScenarioError(LunarvizError):
    """A scenario file is malformed or holds impossible values."""


class AssetError(LunarvizError):
    """A data file is missing, corrupted or cannot be downloaded."""


class RenderError(LunarvizError):
    """Rendering could not start or could not finish (e.g. no OpenGL)."""


#: the longest value an error message shows (longer ones are cut, ending in "...")
MAX_SHOWN_CHARS = 80


def _toml_text(v) -> str:
    import datetime as _dt
    import math

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_text(x) for x in v[:20]) + (", ..." if len(v) > 20 else "") + "]"
    if isinstance(v, dict):
        items = list(v.items())[:10]
        return "{" + ", ".join(f"{k} = {_toml_text(x)}" for k, x in items) + (", ..." if len(v) > 10 else "") + "}"
    return repr(v)


def shown(value, limit: int = MAX_SHOWN_CHARS) -> str:
    """A value as a message shows it: written as in a TOML file or on a command line (``true``,
    ``1979-05-27T07:32:00``, ``[1, 2]``, ``'text'``), never as a Python repr, and at most
    ``limit`` characters (longer ones cut, ending in ``...``)."""
    try:
        s = _toml_text(value)
    except RecursionError:
        s = "(nested too deep)"
    return s if len(s) <= limit else s[:limit - 3] + "..."
