"""Touchdown effects: an impact flash and ejecta curtain for crashes, a dust sheet for soft landings.

Everything is a pure function of the simulation time (fixed random seed, closed-form ballistic
flight in lunar gravity, no air), so any frame can be rendered on its own and renders repeat exactly.

* **Crash** (a ``crashed`` :class:`~lunarviz.physics.outcome.Outcome`): a white-hot
  flash that grows and fades in ~1 s; an ejecta curtain of dust grains thrown out at 30-60 deg
  that fly on parabolas (g = 1.62 m/s^2) and settle where they land; the lander tumbled and half
  buried from the moment of impact.
* **Soft landing**: from ~25 m above the ground, a thin sheet of dust streams out radially under
  the engine, stronger as the lander gets lower and the throttle higher; it stops at engine cut-off.

Positions are kept in the impact/landing point's local east-north-up frame and placed per frame
relative to the floating origin (see :mod:`lunarviz.render.scene`).
"""

from __future__ import annotations

import math

import numpy as np

#: lunar surface gravity, m/s^2
G_MOON = 1.62
#: flash duration, s
FLASH_S = 0.8
#: ejecta grains
N_EJECTA = 5000
#: drawn size (world diameter, m) of one ejecta grain and of one dust-sheet grain: a clump of
#: dust read as a soft sprite that shrinks with distance
EJECTA_GRAIN_M = 0.22
DUST_GRAIN_M = 0.35
#: the curtain stays drawn this long after impact (grains have landed by then), s
EJECTA_SHOW_S = 40.0
#: a grain that has landed fades into the ground over this long, s
SETTLE_FADE_S = 1.5
#: tilt of the wreck after a crash, degrees; and how deep it sinks, m
WRECK_TILT_DEG = 78.0
WRECK_SINK_M = 0.9
#: dust sheet under a landing engine: starts below this height, m
DUST_BELOW_M = 25.0
N_DUST = 4000
DUST_RADIUS_M = 30.0


class Ejecta:
    """Grains of an impact: launch velocities fixed at construction (seeded), positions in closed form."""

    def __init__(self, impact_speed_mps: float, travel_enu: np.ndarray, seed: int = 20250605):
        rng = np.random.default_rng(seed)
        n = N_EJECTA
        v_max = max(8.0, 0.55 * float(impact_speed_mps))
        # many slow grains, few fast ones (a steep power law, like real ejecta)
        u = rng.random(n)
        speed = 2.0 + (v_max - 2.0) * u ** 2.2
        elev = np.radians(rng.normal(45.0, 4.0, n))  # a thin inverted-cone curtain, as in vacuum
        az = rng.uniform(0.0, 2.0 * np.pi, n)
        v = np.stack([speed * np.cos(elev) * np.cos(az), speed * np.cos(elev) * np.sin(az),
                      speed * np.sin(elev)], axis=1)
        # a little of the lander's horizontal motion carries over (downrange-heavy curtain)
        t = np.asarray(travel_enu, float).copy()
        t[2] = 0.0
        v[:, :2] += 0.25 * t[:2]
        self.v = v
        self.t_land = 2.0 * v[:, 2] / G_MOON
        shade = rng.uniform(0.55, 0.9, n)
        base = np.array([0.86, 0.82, 0.74])  # sunlit regolith dust, exposed like the ground: warm grey
        self.rgb = (shade[:, None] * base * 255).astype(np.uint8)
        self.start = rng.normal(0.0, 0.6, (n, 3)) * np.array([1.0, 1.0, 0.2])

    def alpha(self, dt: float) -> np.ndarray:
        """Per-grain opacity ``dt`` s after impact: 1 in flight, fading out over :data:`SETTLE_FADE_S`
        once a grain is down (it has become part of the ejecta blanket on the ground)."""
        after = max(dt, 0.0) - self.t_land
        return np.clip(1.0 - after / SETTLE_FADE_S, 0.0, 1.0)

    def positions(self, dt: float) -> np.ndarray:
        """Grain positions (ENU, m, relative to the impact point) ``dt`` seconds after impact."""
        t = np.minimum(max(dt, 0.0), self.t_land)
        p = self.start + self.v * t[:, None]
        p[:, 2] = np.maximum(self.start[:, 2] + self.v[:, 2] * t - 0.5 * G_MOON * t * t, 0.05)
        return p


class DustSheet:
    """Dust blown radially out along the ground under a landing engine (a steady stream).

    Grains leave the engine's footprint fast and low and fade as they spread (RGBA per grain), so
    the sheet reads as a soft radial streak round the lander rather than as specks on the ground.
    """

    def __init__(self, seed: int = 7):
        rng = np.random.default_rng(seed)
        n = N_DUST
        self.az = rng.uniform(0.0, 2.0 * np.pi, n)
        self.speed = rng.uniform(10.0, 35.0, n)
        self.phase = rng.random(n)
        self.h = rng.uniform(0.0, 1.0, n) ** 2 * 0.5
        shade = rng.uniform(0.7, 1.0, n)
        # near the ground's tone: a haze
        self.rgb = (shade[:, None] * np.array([0.90, 0.87, 0.80]) * 255).astype(np.uint8)

    def _f(self, et_s: float) -> np.ndarray:
        period = DUST_RADIUS_M / self.speed
        return (et_s / period + self.phase) % 1.0  # 0..1 along each grain's path

    def positions(self, et_s: float) -> np.ndarray:
        f = self._f(et_s)
        r = 1.5 + f * DUST_RADIUS_M
        z = 0.05 + self.h * (0.2 + 1.5 * f)
        return np.stack([r * np.cos(self.az), r * np.sin(self.az), z], axis=1)

    def rgba(self, et_s: float, strength: float) -> np.ndarray:
        f = self._f(et_s)
        a = np.clip(strength * (1.0 - f) ** 1.5 * 255.0, 0.0, 255.0).astype(np.uint8)
        return np.concatenate([self.rgb, a[:, None]], axis=1)


def flash(dt: float) -> tuple[float, float]:
    """Radius (m) and opacity of the impact flash ``dt`` s after impact (opacity 0: not drawn)."""
    if dt < 0.0 or dt >= FLASH_S:
        return 0.0, 0.0
    x = dt / FLASH_S
    return 6.0 + 24.0 * math.sqrt(x), (1.0 - x) ** 1.5


def ejecta_fade(dt: float) -> float:
    """Opacity of the ejecta curtain: full for a few seconds, then settling to a faint haze."""
    if dt < 0.0 or dt > EJECTA_SHOW_S:
        return 0.0
    k = float(np.clip(1.0 - (dt - 6.0) / (EJECTA_SHOW_S - 6.0), 0.0, 1.0)) if dt > 6.0 else 1.0
    return 0.9 * k


def wreck_rotation(dt: float, axis_world: np.ndarray) -> np.ndarray:
    """Rotation applied to the lander ``dt`` s after a crash: tips over in ~0.5 s, then lies still."""
    return axis_rotation(axis_world, math.radians(WRECK_TILT_DEG) * min(1.0, max(dt, 0.0) / 0.5) ** 0.5)


def axis_rotation(axis: np.ndarray, angle_rad: float) -> np.ndarray:
    """Rotation matrix by ``angle_rad`` about ``axis`` (right-handed; Rodrigues' formula)."""
    k = np.asarray(axis, float) / np.linalg.norm(axis)
    K = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + math.sin(angle_rad) * K + (1.0 - math.cos(angle_rad)) * (K @ K)


def dust_strength(alt_m: float, throttle: float) -> float:
    """0..1: how much dust a landing engine raises at this height and throttle."""
    if not math.isfinite(alt_m) or alt_m > DUST_BELOW_M or throttle <= 0.02:
        return 0.0
    return float(np.clip(1.0 - max(alt_m, 0.0) / DUST_BELOW_M, 0.0, 1.0) ** 0.7 * min(1.0, 0.3 + throttle))


#: the crater LRO found at the Resilience impact (docs/facts.md: "new crater ~16 m", imaged
#: 2025-06-11) and that impact's kinetic energy in the as-flown scene (417 kg at 48 m/s), J
RESILIENCE_CRATER_M = 16.0
RESILIENCE_IMPACT_J = 0.5 * 417.0 * 48.1 ** 2
#: fresh simple crater proportions (Pike 1977; Melosh 1989): depth/diameter, rim height/diameter,
#: and how far the continuous ejecta reach (crater radii from the centre)
CRATER_DEPTH_RATIO = 0.2
CRATER_RIM_RATIO = 0.04
CRATER_EJECTA_RADII = 3.0


def crater_diameter_m(speed_mps: float, mass_kg: float) -> float:
    """Rim-to-rim diameter of the crater an impact leaves: the Resilience crater scaled by the
    kinetic energy to the power 1/3.4 (gravity-regime scaling for a constant impactor density)."""
    e = 0.5 * max(mass_kg, 1.0) * max(speed_mps, 0.0) ** 2
    return float(RESILIENCE_CRATER_M * (e / RESILIENCE_IMPACT_J) ** (1.0 / 3.4))


def crater_height_m(r_m: np.ndarray, diameter_m: float) -> np.ndarray:
    """Height (m) over the original ground at distance ``r_m`` from the centre: a parabolic bowl
    :data:`CRATER_DEPTH_RATIO` x D deep under the rim, the raised rim, ejecta thinning as (R/r)^3."""
    R = 0.5 * diameter_m
    x = np.asarray(r_m, float) / R
    depth, rim = CRATER_DEPTH_RATIO * diameter_m, CRATER_RIM_RATIO * diameter_m
    inside = -depth + (depth + rim) * x * x
    outside = rim * np.clip(x, 1.0, None) ** -3 * np.clip((CRATER_EJECTA_RADII - x) / (CRATER_EJECTA_RADII - 1.0),
                                                           0.0, 1.0)
    return np.where(x < 1.0, inside, outside)


def crater_albedo(r_m: np.ndarray, diameter_m: float) -> np.ndarray:
    """Albedo factor round a fresh impact: a darker disturbed halo to ~1.5 crater radii (as round the
    spacecraft impact sites LRO imaged), fresh brighter ejecta beyond it, fading by the ejecta's reach."""
    x = np.asarray(r_m, float) / (0.5 * diameter_m)
    dark = 0.78 + 0.22 * np.clip((x - 0.6) / 0.9, 0.0, 1.0)
    bright = 1.0 + 0.18 * np.clip(1.0 - np.abs(x - 2.0) / (CRATER_EJECTA_RADII - 1.5), 0.0, 1.0)
    return np.where(x < 1.5, dark, bright)
