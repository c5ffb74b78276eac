"""The syntax of a time specification (no trajectory needed): ``touchdown-120s`` and friends.

A spec is one of

* an ISO UTC time: ``2025-06-05T19:15:00`` (a trailing ``Z`` is allowed);
* a named moment: an event of :data:`lunarviz.trajectory.EVENT_NAMES`
  (``touchdown``, ``powered_descent``, ``earthrise``, ...), an alias of one
  (:data:`ALIASES`: ``pdi``, ``td``, ``landing``, ``impact``) or a moment every
  flight has (:data:`FLIGHT_MOMENTS`: ``start``, ``end``, ``planned``);
* either of those plus or minus an offset: ``touchdown-120s``, ``pdi+1.5min``,
  ``start+2h``, ``touchdown-1m30s``.

:func:`parse` checks the syntax and the names and returns an unresolved
:class:`TimeSpec`; scenario files are checked with it at load. Resolving a
spec to ET needs a flight: :func:`lunarviz.render.timespec.parse_time_spec`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .errors import TimeError, shown
from .timebase import parse_utc
from .trajectory import EVENT_NAMES

#: other names for events
ALIASES = {"pdi": "powered_descent", "td": "touchdown", "landing": "touchdown", "impact": "touchdown"}
#: moments every flight has (``planned`` = the planned touchdown)
FLIGHT_MOMENTS = ("start", "end", "planned", "planned_touchdown")
#: every name a spec may start with
NAMES = tuple(sorted({*EVENT_NAMES, *ALIASES, *FLIGHT_MOMENTS}))
#: offsets beyond this are certainly typos (a flight lasts days at most), s
MAX_OFFSET_S = 30 * 86400.0
#: the longest spec, characters
MAX_CHARS = 80

_UNITS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "hr": 3600.0}
_OFFSET = re.compile(r"^(?P<base>.*?)\s*(?P<sign>[+-])\s*(?P<off>(?:\d+(?:\.\d*)?|\.\d+)\s*(?:h|hr|min|m|sec|s)?"
                     r"(?:\s*(?:\d+(?:\.\d*)?|\.\d+)\s*(?:h|hr|min|m|sec|s))*)$")
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(h|hr|min|m|sec|s)?")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?Z?$")


@dataclass(frozen=True)
class TimeSpec:
    """A parsed, unresolved time: ``utc`` (canonical ISO) or ``moment`` (a canonical name), plus ``offset_s``."""

    text: str
    utc: str | None = None
    moment: str | None = None
    offset_s: float = 0.0


def _offset_s(text: str, spec: str) -> float:
    total = 0.0
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m:
            raise TimeError(f"time {shown(spec)}: cannot read the offset {shown(text)}; expected e.g. 120s, 2min, 1h")
        total += float(m.group(1)) * _UNITS[m.group(2) or "s"]
        pos = m.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
    if total > MAX_OFFSET_S:
        raise TimeError(f"time {shown(spec)}: an offset of {total:g} s; expected at most {MAX_OFFSET_S:g} s (30 days)")
    return total


def _base(text: str, spec: str) -> tuple[str | None, str | None]:
    """(canonical UTC, None) or (None, canonical moment name) of the part before the offset."""
    if _ISO.match(text):
        return parse_utc(text.rstrip("Z").replace(" ", "T")), None
    key = text.lower()
    key = ALIASES.get(key, key)
    if key == "planned_touchdown":
        key = "planned"
    if key in EVENT_NAMES or key in FLIGHT_MOMENTS:
        return None, key
    close = difflib.get_close_matches(text.lower(), NAMES, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise TimeError(f"time {shown(spec)}: not an ISO UTC time or an event name{hint}; expected one of "
                    f"{', '.join(NAMES)}, optionally with an offset such as -120s")


def parse(spec: str) -> TimeSpec:
    """Check the syntax of ``spec`` (see the module docstring); one-line :class:`TimeError` otherwise."""
    if not isinstance(spec, str):
        raise TimeError(f"time {shown(spec)}: expected a string such as 'touchdown-120s'")
    text = spec.strip()
    if not text:
        raise TimeError("time '': empty; expected an ISO UTC time, an event name or e.g. touchdown-120s")
    if len(text) > MAX_CHARS:
        raise TimeError(f"time {text[:40]!r}...: {len(text)} characters; expected at most {MAX_CHARS}")
    m = None if _ISO.match(text) else _OFFSET.match(text)
    if m and m.group("base").strip():
        off = _offset_s(m.group("off"), spec)
        sign = 1.0 if m.group("sign") == "+" else -1.0
        utc, moment = _base(m.group("base").strip(), spec)
        return TimeSpec(text, utc, moment, sign * off)
    utc, moment = _base(text, spec)
    return TimeSpec(text, utc, moment, 0.0)
