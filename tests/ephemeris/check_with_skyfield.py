#!/usr/bin/env python3
"""One-off cross-check of `lunarviz ephem` against skyfield (not a pytest test).

skyfield is not a lunarviz dependency. To run this check without touching the
project's environment::

    python -m pip install --target /tmp/sfcheck --no-deps skyfield sgp4
    PYTHONPATH=/tmp/sfcheck python tests/ephemeris/check_with_skyfield.py

It builds the MOON_ME_DE421 frame with skyfield's own planetary-constants
code from the same kernels, places the Resilience site on it and prints
skyfield's geometric and apparent az/el next to lunarviz's values.
"""

from __future__ import annotations

import os
from pathlib import Path

import skyfield_data
from skyfield.api import load, load_file
from skyfield.planetarylib import PlanetaryConstants

from lunarviz.commands.ephem import sky_at_site

KERNELS = Path(__file__).resolve().parents[2] / "assets" / "kernels"
LAT, LON = 60.5, -4.6


def main() -> int:
    ts = load.timescale(builtin=True)
    planets = load_file(os.path.join(os.path.dirname(skyfield_data.__file__), "data", "de421.bsp"))
    pc = PlanetaryConstants()
    with open(KERNELS / "moon_080317.tf", "rb") as fh:
        pc.read_text(fh)
    pc.read_binary(open(KERNELS / "moon_pa_de421_1900-2050.bpc", "rb"))
    pc.variables["BODY301_RADII"] = [1737.4, 1737.4, 1737.4]
    frame = pc.build_frame_named("MOON_ME_DE421")
    site = planets["moon"] + pc.build_latlon_degrees(frame, LAT, LON)
    t = ts.utc(2025, 6, 5, 19, 17, 0)
    ours = sky_at_site("2025-06-05T19:17:00", LAT, LON)
    for name in ("earth", "sun"):
        g_alt, g_az, _ = (planets[name] - site).at(t).altaz()
        a_alt, a_az, _ = site.at(t).observe(planets[name]).apparent().altaz()
        print(f"{name:5s} lunarviz az {ours[name + '_az_deg']:.6f} el {ours[name + '_el_deg']:.6f} | "
              f"skyfield geometric az {g_az.degrees:.6f} el {g_alt.degrees:.6f} | "
              f"apparent az {a_az.degrees:.6f} el {a_alt.degrees:.6f}")
    frac = site.at(t).observe(planets["earth"]).apparent().fraction_illuminated(planets["sun"])
    dist = (planets["earth"] - planets["moon"]).at(t).distance().km
    print(f"earth lit fraction lunarviz {ours['earth_illuminated_fraction']:.7f} | skyfield {frac:.7f}")
    print(f"earth-moon distance lunarviz {ours['earth_moon_distance_km']:.4f} km | skyfield {dist:.4f} km")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
