"""The one units setting and the one number formatter: metric (default) or imperial.

Core module (no Qt, no VTK). The core computes in SI (``alt_m``, ``speed_mps``,
``mass_kg``) and files written for programs (JSON, CSV, SPK) stay SI; every
number a *person* reads (the HUD, the viewer's plots and readout, ``lunarviz
fly``'s text, handouts) goes through this module, which converts it to the
chosen system and writes it with its unit (:func:`fmt`, :func:`altitude`).

The system is, in order: :func:`set_units` (the CLI's ``--units``),
``$LUNARVIZ_UNITS``, ``metric``. Imperial uses the international foot and
pound (exact by definition since 1959): 1 ft = 0.3048 m, 1 mi = 5280 ft =
1609.344 m, 1 lb = 0.45359237 kg. The Apollo 11 transcripts call out
altitude in feet and speeds in ft/s.

Dimensions (:data:`DIMENSIONS`): ``altitude`` (m / ft), ``altitude_large``
(km / mi, for heights of orbits), ``altitude_plot`` (the altitude axis of a
plot: km / ft), ``speed`` (m/s / ft/s), ``speed_road`` (km/h / mph),
``distance`` (m / ft), ``mass`` (kg / lb). Unit symbols are marked for
translation and translated where shown (:func:`unit`).
"""

from __future__ import annotations

import math
import os

from .errors import LunarvizError, shown
from .i18n import N_, _

__all__ = ["SYSTEMS", "FOOT_M", "MILE_M", "POUND_KG", "DIMENSIONS", "set_units", "system", "unit", "unit_key",
           "convert", "to_si", "fmt", "altitude", "counterpart"]

#: the unit systems a person may choose, the default first
SYSTEMS = ("metric", "imperial")
#: metres in an international foot (exact)
FOOT_M = 0.3048
#: metres in a statute mile, 5280 ft (exact)
MILE_M = 5280 * FOOT_M
#: kilograms in an avoirdupois pound (exact)
POUND_KG = 0.45359237
#: seconds in an hour
HOUR_S = 3600.0

#: dimension -> system -> (unit symbol, SI units in one of it)
DIMENSIONS: dict[str, dict[str, tuple[str, float]]] = {
    "altitude": {"metric": (N_("m"), 1.0), "imperial": (N_("ft"), FOOT_M)},
    "altitude_large": {"metric": (N_("km"), 1000.0), "imperial": (N_("mi"), MILE_M)},
    "altitude_plot": {"metric": (N_("km"), 1000.0), "imperial": (N_("ft"), FOOT_M)},
    "speed": {"metric": (N_("m/s"), 1.0), "imperial": (N_("ft/s"), FOOT_M)},
    "speed_road": {"metric": (N_("km/h"), 1000.0 / HOUR_S), "imperial": (N_("mph"), MILE_M / HOUR_S)},
    "distance": {"metric": (N_("m"), 1.0), "imperial": (N_("ft"), FOOT_M)},
    "mass": {"metric": (N_("kg"), 1.0), "imperial": (N_("lb"), POUND_KG)},
}
#: an altitude shown with :func:`altitude` switches to the large unit from this many SI metres
LARGE_FROM_M = {"metric": 10_000.0, "imperial": 100_000 * FOOT_M}

_state: dict = {"system": None}


def _check(name: str, where: str) -> str:
    code = name.strip().lower()
    if code not in SYSTEMS:
        raise LunarvizError(f"{where} {shown(name)}: expected one of {', '.join(SYSTEMS)}")
    return code


def set_units(name: str | None, where: str = "--units") -> str:
    """Use the system ``name`` (``None``: ``$LUNARVIZ_UNITS``, else metric) from now on; returns it.

    A name that is not one of :data:`SYSTEMS` is a :class:`~lunarviz.errors.LunarvizError`
    naming ``where`` (or ``$LUNARVIZ_UNITS``) and the value. A name given here is also put in
    ``$LUNARVIZ_UNITS``, so that processes this one starts (render workers, the viewer's export)
    show the same units; a Dask worker gets them with :class:`lunarviz.render.frames.FrameSettings`.
    """
    if name:
        code = _check(name, where)
        os.environ["LUNARVIZ_UNITS"] = code
    else:
        env = os.environ.get("LUNARVIZ_UNITS", "").strip()
        code = _check(env, "$LUNARVIZ_UNITS") if env else SYSTEMS[0]
    _state["system"] = code
    return code


def system() -> str:
    """The system in use (chosen from the environment on first use)."""
    if _state["system"] is None:
        set_units(None)
    return _state["system"]


def _entry(dim: str, sys_: str | None) -> tuple[str, float]:
    return DIMENSIONS[dim][sys_ or system()]


def unit_key(dim: str, sys_: str | None = None) -> str:
    """The untranslated unit symbol of ``dim`` (``"ft"``): a key, e.g. into :data:`lunarviz.record.QUANTITIES`."""
    return _entry(dim, sys_)[0]


def unit(dim: str, sys_: str | None = None) -> str:
    """The unit symbol of ``dim`` as a person reads it (translated): ``m``, ``ft/s``, ``mph``."""
    return _(_entry(dim, sys_)[0])


def convert(value_si, dim: str, sys_: str | None = None):
    """An SI value (a float or a numpy array) of ``dim`` in the unit of the system in use."""
    return value_si / _entry(dim, sys_)[1]


def to_si(value, dim: str, sys_: str | None = None):
    """The inverse of :func:`convert`: a value in the system's unit of ``dim`` back in SI."""
    return value * _entry(dim, sys_)[1]


def fmt(value_si: float | None, dim: str, spec: str = ".1f", *, sys_: str | None = None,
        missing: str = "-") -> str:
    """``value_si`` converted and written with its unit: ``fmt(42.0, "speed", "+.1f")`` is
    ``+42.0 m/s`` (metric) or ``+137.8 ft/s`` (imperial); ``missing`` for None / NaN."""
    if value_si is None or (isinstance(value_si, float) and not math.isfinite(value_si)):
        return missing
    return f"{convert(value_si, dim, sys_):{spec}} {unit(dim, sys_)}"


def altitude(alt_m: float, *, width: int = 0, small_digits: int | None = None, large_digits: int = 1,
             sys_: str | None = None, missing: str = "---") -> str:
    """An altitude as a person reads it: in m / ft, or km / mi from :data:`LARGE_FROM_M` on.

    ``width`` right-aligns the number in that many characters and pads the unit to the
    longer of the two symbols, so that a column of altitudes lines up (the HUD);
    ``small_digits`` (default: one decimal below 100, none above) and ``large_digits`` are the
    decimals. A value within 5 cm of zero reads as zero (no ``-0.0 m`` on the ground).
    """
    s = sys_ or system()
    if not math.isfinite(alt_m):
        return missing
    if abs(alt_m) < 0.05:
        alt_m = 0.0
    large = abs(alt_m) >= LARGE_FROM_M[s]
    dim = "altitude_large" if large else "altitude"
    digits = large_digits if large else (small_digits if small_digits is not None
                                         else (0 if abs(convert(alt_m, dim, s)) >= 100 else 1))
    pad = max(len(unit("altitude", s)), len(unit("altitude_large", s))) if width else 0
    return f"{convert(alt_m, dim, s):{width}.{digits}f} {unit(dim, s):<{pad}}"


#: a unit symbol of the other system -> the dimension it measures (for :func:`counterpart`)
_BY_KEY = {key: dim for dim in ("altitude", "altitude_large", "speed", "speed_road", "mass")
           for key, _f in DIMENSIONS[dim].values()}


def counterpart(unit_key_: str, sys_: str | None = None) -> tuple[str, float]:
    """The unit of the system in use for a value published in ``unit_key_``, and the factor
    to multiply by: ``counterpart("km/h")`` is ``("mph", 0.6214)`` with imperial units.

    With metric units a value keeps the unit it was published in (a published value is quoted
    as its source gave it); with imperial units metric ones are converted. Unknown units
    (``"s"``, ``""``) are kept.
    """
    s = sys_ or system()
    dim = _BY_KEY.get(unit_key_)
    if s == "metric" or dim is None or DIMENSIONS[dim]["imperial"][0] == unit_key_:
        return unit_key_, 1.0
    metric_key, metric_f = DIMENSIONS[dim]["metric"]
    if metric_key != unit_key_:
        return unit_key_, 1.0
    key, f = DIMENSIONS[dim]["imperial"]
    return key, metric_f / f
