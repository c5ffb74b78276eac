"""Monte Carlo: N dispersed runs flown together (vectorised), landing statistics.

Each run draws (seeded, :class:`numpy.random.Generator`) an initial position and
velocity error, a thrust and an Isp scale factor, an extra initial altitude-
estimate error and a rangefinder-noise scale, as set in the scenario's
``[dispersions]`` table. All runs are integrated in the same arrays (shape
``(runs, 3)``), not one after another.

The landing ellipse is the 99 % ellipse of the touchdown points in the site's
local east/north plane (metres): centre, semi-axes (sqrt(chi2_2(0.99)) = 3.035
times the standard deviations along the principal axes) and the orientation
of the major axis as an azimuth from north through east.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import LunarvizError
from ..geometry import MOON_RADIUS_M, enu_basis, unit_to_latlon
from ..scenario import Scenario
from . import frames
from .flight import simulate
from .outcome import Outcome, classify, touchdown_speeds

#: semi-axis scale of the 99 % ellipse of a 2-D normal distribution
K99 = math.sqrt(-2.0 * math.log(1.0 - 0.99))


@dataclass(frozen=True)
class MonteCarloResult:
    """N dispersed runs (:func:`lunarviz.monte_carlo`): per-run arrays of length ``runs``.

    ``outcome`` holds an :class:`~lunarviz.physics.outcome.Outcome` value per run;
    touchdown time (ET s), place (``lat_deg``, ``lon_deg``; ``east_m``, ``north_m``
    from the target), speeds (m/s) and ``propellant_kg`` per run (nan without a
    touchdown); the 99 % landing ellipse (centre and semi-axes in m, azimuth of the
    major axis in degrees); ``success_rate``; ``to_dict()`` is ``fly --json``'s object.
    """

    runs: int
    seed: int
    outcome: np.ndarray            # (runs,) str: an Outcome value per run
    touchdown_et_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    east_m: np.ndarray
    north_m: np.ndarray
    vertical_speed_mps: np.ndarray
    horizontal_speed_mps: np.ndarray
    propellant_kg: np.ndarray
    ellipse_center_m: tuple[float, float]
    ellipse_semi_axes_m: tuple[float, float]
    ellipse_azimuth_deg: float

    def sigma_axes_m(self, k: float = 1.0) -> tuple[float, float]:
        """Semi-axes (major, minor) of the ``k``-sigma ellipse of the touchdown points, m."""
        a, b = self.ellipse_semi_axes_m
        return k * a / K99, k * b / K99

    @property
    def success_rate(self) -> float:
        return float(np.mean(self.outcome == Outcome.LANDED.value)) if self.runs else 0.0

    def to_dict(self) -> dict:
        return {
            "runs": self.runs,
            "seed": self.seed,
            "success_rate": self.success_rate,
            "outcomes": {k: int(np.sum(self.outcome == k)) for k in (o.value for o in Outcome)},
            "landing_ellipse": {
                "probability": 0.99,
                "center_east_m": self.ellipse_center_m[0],
                "center_north_m": self.ellipse_center_m[1],
                "semi_major_m": self.ellipse_semi_axes_m[0],
                "semi_minor_m": self.ellipse_semi_axes_m[1],
                "major_axis_azimuth_deg": self.ellipse_azimuth_deg,
            },
            "touchdown_vertical_speed_mps": _stats(self.vertical_speed_mps),
            "propellant_remaining_kg": _stats(self.propellant_kg),
        }


def _stats(x: np.ndarray) -> dict:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return {"mean": None, "min": None, "max": None}
    return {"mean": float(x.mean()), "min": float(x.min()), "max": float(x.max())}


def ellipse(east: np.ndarray, north: np.ndarray) -> tuple[tuple[float, float], tuple[float, float], float]:
    """99 % ellipse (centre, (semi-major, semi-minor), azimuth of the major axis in deg)."""
    ok = np.isfinite(east) & np.isfinite(north)
    e, n = east[ok], north[ok]
    if e.size < 2:
        c = (float(e.mean()), float(n.mean())) if e.size else (float("nan"), float("nan"))
        return c, (0.0, 0.0), 0.0
    cov = np.cov(np.vstack([e, n]))
    vals, vecs = np.linalg.eigh(cov)
    major = vecs[:, 1]
    az = math.degrees(math.atan2(major[0], major[1])) % 180.0
    semi = (K99 * math.sqrt(max(vals[1], 0.0)), K99 * math.sqrt(max(vals[0], 0.0)))
    return (float(e.mean()), float(n.mean())), semi, az


#: the most Monte Carlo runs flown at once (~2 KiB of state and results each); ``$LUNARVIZ_MAX_RUNS`` raises it
MAX_RUNS = 100_000
#: memory of one Monte Carlo run while flying (state arrays, touchdowns, summaries), bytes
RUN_BYTES = 2048


def check_runs(runs: int, what: str = "runs") -> None:
    """Refuse, before flying, a negative number of runs or more than the budget (with its memory)."""
    import os

    if runs < 0:
        raise LunarvizError(f"{what} {runs}: expected a number of runs >= 0")
    budget = int(os.environ.get("LUNARVIZ_MAX_RUNS", "0") or 0) or MAX_RUNS
    if runs > budget:
        raise LunarvizError(f"{what} {runs}: would need ~{runs * RUN_BYTES / 2**30:.3g} GiB of memory; expected "
                            f"at most {budget:,} runs (set $LUNARVIZ_MAX_RUNS to allow more)")


def run(scn: Scenario, runs: int, seed: int = 0) -> MonteCarloResult:
    """Fly ``runs`` dispersed copies of ``scn`` at once and summarise the touchdowns."""
    check_runs(runs)
    res = simulate(scn, runs, seed, record=False, dispersed=True)
    et = res.td_et
    ok = np.isfinite(et)
    lat = np.full(runs, np.nan)
    lon = np.full(runs, np.nan)
    vz = np.full(runs, np.nan)
    vh = np.full(runs, np.nan)
    east = np.full(runs, np.nan)
    north = np.full(runs, np.nan)
    if np.any(ok):
        rot, rdot = frames.rot_and_rate(et[ok])
        r_in, v_in = res.td_r[ok], res.td_v[ok]
        pos = np.einsum("nij,nj->ni", rot, r_in)
        vel = np.einsum("nij,nj->ni", rot, v_in) + np.einsum("nij,nj->ni", rdot, r_in)
        up = pos / np.linalg.norm(pos, axis=1)[:, None]
        vzz, vh[ok] = touchdown_speeds(pos, vel)
        vz[ok] = np.abs(vzz)
        lat[ok], lon[ok] = unit_to_latlon(pos)
        enu = enu_basis(scn.site_lat_deg, scn.site_lon_deg)
        site = enu[2] * MOON_RADIUS_M
        d = up * MOON_RADIUS_M - site
        east[ok] = d @ enu[0]
        north[ok] = d @ enu[1]
    outcome = classify(vz, vh)  # NaN speeds (no contact) give no_touchdown
    prop = res.td_mass - scn.vehicle.dry_mass_kg
    center, semi, az = ellipse(east[ok], north[ok])
    return MonteCarloResult(
        runs=runs, seed=seed, outcome=outcome.astype(str), touchdown_et_s=et, lat_deg=lat, lon_deg=lon,
        east_m=east, north_m=north, vertical_speed_mps=vz, horizontal_speed_mps=vh,
        propellant_kg=prop, ellipse_center_m=center, ellipse_semi_axes_m=semi, ellipse_azimuth_deg=az,
    )


def run_batched(scn: Scenario, runs: int, seed: int = 0, *, batch: int = 50, progress=None,
                cancelled=None) -> MonteCarloResult | None:
    """:func:`run` in batches of ``batch`` runs (batch ``k`` seeded ``seed * 1_000_003 + k``), so a
    caller can show ``progress(done, runs)`` and stop between batches (``cancelled()`` true: None)."""
    parts: list[MonteCarloResult] = []
    done = 0
    while done < runs:
        if cancelled is not None and cancelled():
            return None
        n = min(batch, runs - done)
        parts.append(run(scn, n, seed=seed * 1_000_003 + len(parts)))
        done += n
        if progress is not None:
            progress(done, runs)
    cat = {name: np.concatenate([getattr(p, name) for p in parts])
           for name in ("outcome", "touchdown_et_s", "lat_deg", "lon_deg", "east_m", "north_m",
                        "vertical_speed_mps", "horizontal_speed_mps", "propellant_kg")}
    ok = np.isfinite(cat["east_m"]) & np.isfinite(cat["north_m"])
    center, semi, az = ellipse(cat["east_m"][ok], cat["north_m"][ok])
    return MonteCarloResult(runs=runs, seed=seed, ellipse_center_m=center, ellipse_semi_axes_m=semi,
                            ellipse_azimuth_deg=az, **cat)
