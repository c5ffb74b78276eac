"""The one clock text: UTC and L-minus as a person reads them (HUD, viewer playback bar, event list).

Core module (no Qt, no VTK). Both strings show **whole seconds, truncated**
(like a clock), after rounding the time to the millisecond so that a value a
hair below a second boundary (floating-point noise) reads as the boundary:

* :func:`format_utc`: ``2025-06-05 19:15:14 UTC``;
* :func:`format_l_minus`: ``L-00:01:46`` / ``L+00:00:05``, the whole seconds
  of ``et - planned_touchdown`` rounded *down*. Before the planned touchdown
  the count therefore reads one more than the truncated time remaining
  (105.4 s before reads ``L-00:01:46``), it reaches ``L+00:00:00`` exactly at
  the planned instant and counts up after; no second is shown twice. Because
  the planned touchdown of every scenario is a whole UTC second, the UTC and
  the L-minus strings tick over at the same instants:
  ``planned UTC + L-offset == shown UTC``.

Numbers with units (altitude, speed, mass) in the chosen system, metric or imperial, are
written by :mod:`lunarviz.units` (:func:`lunarviz.units.fmt`, :func:`lunarviz.units.altitude`).
"""

from __future__ import annotations

import math

__all__ = ["format_utc", "format_l_minus"]


def format_utc(et_s: float) -> str:
    """UTC of an ET, ``YYYY-MM-DD HH:MM:SS UTC`` (whole seconds, truncated; via :mod:`lunarviz.timebase`)."""
    from .timebase import et_to_utc  # here, not at the top: timebase loads SPICE on first use

    text = et_to_utc(et_s, digits=3)
    return text.replace("T", " ").split(".")[0] + " UTC"


def format_l_minus(et_s: float, planned_touchdown_et_s: float) -> str:
    """Time relative to the planned touchdown, ``L-HH:MM:SS`` before and ``L+HH:MM:SS`` after.

    Returns ``""`` when the scenario has no planned touchdown (NaN).
    """
    if not math.isfinite(planned_touchdown_et_s):
        return ""
    k = math.floor(round(et_s - planned_touchdown_et_s, 3))
    sign = "-" if k < 0 else "+"
    h, rem = divmod(abs(k), 3600)
    m, s = divmod(rem, 60)
    return f"L{sign}{h:02d}:{m:02d}:{s:02d}"
