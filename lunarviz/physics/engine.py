"""The engine: throttle limits, Isp and mass flow; propellant never goes below zero.

Thrust magnitudes in newtons, Isp folded with g0 (``isp_g0 = Isp g0``, m/s),
mass flow ``mdot = F / (Isp g0)`` in kg/s. A step's burn is held constant
(see :mod:`.dynamics`); when the tank empties within the step, the engine
burns only for the fraction of the step the propellant lasts, and with an
empty tank it gives no thrust at all.
"""

from __future__ import annotations

from ._jit import jit


@jit
def throttle(force_n, aux_n, main_max_n, throttle_min, throttle_max):
    """Main-engine throttle (fraction of ``main_max_n``) for a commanded total force.

    ``aux_n``: thrust of auxiliary thrusters firing along; the main engine
    supplies the rest, within its throttle range."""
    return min(max((force_n - aux_n) / main_max_n, throttle_min), throttle_max)


@jit
def burn(main_n, aux_n, isp_main_g0, isp_aux_g0, on_frac, mass_kg, dry_kg, dt_s):
    """The burn of one step: ``(thrust_n, mdot_kgps, prop_frac, mass1_kg)``.

    ``main_n``/``aux_n``: thrust of the main engine and the auxiliary thrusters
    while on; ``on_frac``: the fraction of the step the engine is commanded on.
    ``prop_frac`` < 1 when the propellant (``mass_kg - dry_kg``) runs out after
    that fraction of the step (0: the tank was empty); the mean thrust and mass
    flow over the step are scaled by it, and the mass never drops below ``dry_kg``.
    """
    mdot = (main_n / isp_main_g0 + aux_n / isp_aux_g0) * on_frac
    if mdot <= 0.0:
        return 0.0, 0.0, 1.0, mass_kg
    prop = mass_kg - dry_kg
    if prop <= 0.0:
        return 0.0, 0.0, 0.0, dry_kg
    frac = min(prop / (mdot * dt_s), 1.0)
    mass1 = dry_kg if frac < 1.0 else mass_kg - mdot * dt_s
    return (main_n + aux_n) * on_frac * frac, mdot * frac, frac, mass1
