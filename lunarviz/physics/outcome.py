"""How a flight ended: the one :class:`Outcome` and its thresholds.

The outcome is a function of the first surface contact ("touchdown", soft or
not) alone: its vertical and horizontal speed relative to the ground
(``MOON_ME``, the radial direction being "up"). Every reader -- ``fly --json``
(:mod:`lunarviz.physics.summary`), Monte Carlo, the HUD, the touchdown effects,
the viewer's event list and the what-if panel -- asks :func:`classify` or
:func:`touchdown_outcome`, so a 4 m/s touchdown reads the same everywhere.

=================  ==========================================================
``landed``         vertical <= 3 m/s **and** horizontal <= 2 m/s
``hard_landing``   not landed, but vertical <= 5 m/s and horizontal <= 3 m/s
``crashed``        anything faster
``no_touchdown``   the flight ended without reaching the surface
=================  ==========================================================

Rationale (these are lunarviz's modelling choices, not one vehicle's
specification):

* **landed** is the usual design envelope of a legged lander's crushable
  landing gear: of the order of the Apollo LM's 10 ft/s (3.0 m/s) vertical,
  with the horizontal limit kept lower because sideways speed is what tips a
  lander over when a footpad digs in. These values are unchanged since the
  first ``fly --json``.
* **hard_landing** is a contact the gear absorbs by crushing beyond its design
  stroke: the vehicle survives, damaged or tilted. The kinetic energy per kg
  goes as v^2, so 5 m/s vertical is (5/3)^2 = 2.8 times the design energy,
  where the crush stroke runs out and the structure itself takes the load;
  3 m/s horizontal is where a few-metre footprint on a slope no longer keeps
  the lander upright. 5 m/s was also the viewer's old impact threshold.
* **crashed** is everything above: the structure fails (Resilience's 46 m/s,
  Beresheet's ~200 m/s, Hakuto-R's ~127 m/s are far beyond either band).

The module is pure numpy (no other physics module imported), so the renderer
and the viewer can read it without running a flight.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from ..i18n import N_

__all__ = [
    "Outcome",
    "MAX_LANDED_VERTICAL_MPS",
    "MAX_LANDED_HORIZONTAL_MPS",
    "MAX_HARD_VERTICAL_MPS",
    "MAX_HARD_HORIZONTAL_MPS",
    "OUTCOME_WORDS",
    "classify",
    "touchdown_speeds",
    "touchdown_outcome",
]

#: landing envelope: at or below both, the touchdown is ``landed``, m/s
MAX_LANDED_VERTICAL_MPS = 3.0
MAX_LANDED_HORIZONTAL_MPS = 2.0
#: survivable limit: outside the envelope but at or below both, ``hard_landing``; above, ``crashed``, m/s
MAX_HARD_VERTICAL_MPS = 5.0
MAX_HARD_HORIZONTAL_MPS = 3.0


class Outcome(StrEnum):
    """How a flight ended; the value (and ``str()``) is the string ``fly --json`` reports."""

    LANDED = "landed"
    HARD_LANDING = "hard_landing"
    CRASHED = "crashed"
    NO_TOUCHDOWN = "no_touchdown"


#: the outcome codes as ``fly``'s text output shows them (the code itself in English; translated there)
OUTCOME_WORDS = (N_("landed"), N_("hard_landing"), N_("crashed"), N_("no_touchdown"))


def classify(vertical_mps, horizontal_mps):
    """Outcome of a touchdown at these speeds (m/s; the sign of ``vertical_mps`` is ignored).

    Scalars give an :class:`Outcome`; arrays give an array of the outcome
    strings, with ``no_touchdown`` where a speed is NaN (no contact).
    """
    vz = np.abs(np.asarray(vertical_mps, dtype=float))
    vh = np.asarray(horizontal_mps, dtype=float)
    codes = np.select(
        [np.isnan(vz) | np.isnan(vh),
         (vz <= MAX_LANDED_VERTICAL_MPS) & (vh <= MAX_LANDED_HORIZONTAL_MPS),
         (vz <= MAX_HARD_VERTICAL_MPS) & (vh <= MAX_HARD_HORIZONTAL_MPS)],
        [Outcome.NO_TOUCHDOWN.value, Outcome.LANDED.value, Outcome.HARD_LANDING.value],
        default=Outcome.CRASHED.value,
    )
    if np.ndim(codes) == 0:
        return Outcome(str(codes))
    return codes


def touchdown_speeds(pos_m, vel_mps) -> tuple[np.ndarray, np.ndarray]:
    """Signed vertical (up positive) and horizontal speed (m/s) of ``MOON_ME`` states ``(..., 3)``."""
    pos = np.asarray(pos_m, dtype=float)
    vel = np.asarray(vel_mps, dtype=float)
    up = pos / np.linalg.norm(pos, axis=-1, keepdims=True)
    vz = np.einsum("...i,...i->...", vel, up)
    vh = np.linalg.norm(vel - vz[..., None] * up, axis=-1)
    return vz, vh


def touchdown_outcome(traj) -> Outcome:
    """The :class:`Outcome` of a :class:`~lunarviz.trajectory.Trajectory`, from its ``touchdown`` event."""
    td = traj.event("touchdown")
    if td is None:
        return Outcome.NO_TOUCHDOWN
    vz, vh = touchdown_speeds(td.pos_m, td.vel_mps)
    return classify(vz, vh)
