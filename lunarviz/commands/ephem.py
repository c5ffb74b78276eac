"""``lunarviz ephem``: the sky over a lunar site at one instant.

Example::

    lunarviz ephem --utc 2025-06-05T19:17:00 --site 60.5,-4.6
    lunarviz ephem --utc 2025-06-05T19:17:00 --site 60.5,-4.6 --json
"""

from __future__ import annotations

import argparse
import json
import math

from ..errors import LunarvizError, shown
from ..i18n import _

#: keys always present in the --json object
JSON_KEYS = (
    "earth_moon_distance_km",
    "sun_az_deg",
    "sun_el_deg",
    "earth_az_deg",
    "earth_el_deg",
    "earth_illuminated_fraction",
)


class SiteError(LunarvizError):
    """A --site value is malformed or out of range."""


def parse_site(text: str) -> tuple[float, float]:
    """``"LAT,LON"`` in degrees (MOON_ME, east-positive) -> (lat_deg, lon_deg)."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 2:
        raise SiteError(f"--site {shown(text)}: expected LAT,LON in degrees, e.g. 60.5,-4.6")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise SiteError(f"--site {shown(text)}: expected two numbers LAT,LON, e.g. 60.5,-4.6") from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise SiteError(f"--site {shown(text)}: latitude and longitude must be finite numbers")
    if not -90.0 <= lat <= 90.0:
        raise SiteError(f"--site {shown(text)}: latitude {lat:g} is outside -90..90 deg")
    if not -360.0 <= lon <= 360.0:
        raise SiteError(f"--site {shown(text)}: longitude {lon:g} is outside -360..360 deg")
    if lon > 180.0:
        lon -= 360.0
    elif lon <= -180.0:
        lon += 360.0
    return lat, lon


def sky_at_site(utc: str, lat_deg: float, lon_deg: float) -> dict:
    """Sun and Earth seen from a selenographic site at ``utc`` (a dict of plain floats)."""
    import numpy as np

    from .. import ephemeris as eph
    from ..timebase import et_to_utc, utc_to_et

    et = utc_to_et(utc)
    site = eph.latlon_to_moon_me(lat_deg, lon_deg)
    earth = eph.position_m("EARTH", et, "MOON_ME", "MOON")
    sun_az, sun_el = eph.az_el_deg("SUN", lat_deg, lon_deg, et)
    earth_az, earth_el = eph.az_el_deg("EARTH", lat_deg, lon_deg, et)
    ss_lat, ss_lon = eph.subsolar_point_on_earth(et)
    previous_event, next_event = _sun_events_around(eph, et, lat_deg, lon_deg)
    return {
        "utc": et_to_utc(et, 3),
        "et_s": float(et),
        "site_lat_deg": float(lat_deg),
        "site_lon_deg": float(lon_deg),
        "earth_moon_distance_km": float(np.linalg.norm(earth)) / 1000.0,
        "sun_az_deg": float(sun_az),
        "sun_el_deg": float(sun_el),
        "earth_az_deg": float(earth_az),
        "earth_el_deg": float(earth_el),
        "earth_illuminated_fraction": float(eph.earth_illuminated_fraction(site, et)),
        "earth_angular_radius_deg": float(eph.angular_radius_deg("EARTH", site, et)),
        "sun_angular_radius_deg": float(eph.angular_radius_deg("SUN", site, et)),
        "subsolar_lat_deg": float(ss_lat),
        "subsolar_lon_deg": float(ss_lon),
        "ephemeris": eph.current_ephemeris(),
        "previous_sun_event": previous_event,
        "next_sun_event": next_event,
    }


def _sun_events_around(eph, et: float, lat_deg: float, lon_deg: float):
    """Last sunrise/sunset before ``et`` and the first after it, within ~16 days.

    Each is ``{"name": "sunrise"|"sunset", "utc": ...}`` or None (none in the
    window, e.g. polar day or night, or the kernel coverage ends).
    """
    from ..timebase import et_to_utc

    half = 16.5 * 86400.0
    lo, hi = eph.coverage_et()
    events = eph.find_sun_rise_set(lat_deg, lon_deg, max(lo, et - half), min(hi, et + half))
    before = [e for e in events if e[1] <= et]
    after = [e for e in events if e[1] > et]

    def as_dict(event):
        return None if event is None else {"name": event[0], "utc": et_to_utc(event[1], 0)}

    return as_dict(before[-1] if before else None), as_dict(after[0] if after else None)

def _compass(az_deg: float) -> str:
    names = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
             "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")
    return names[int((az_deg % 360.0) / 22.5 + 0.5) % 16]


def _event_text(event: dict | None) -> str:
    return "none within 16 days" if event is None else f"{event['name']} {event['utc']} UTC"


def format_table(sky: dict) -> str:
    """Readable multi-line table of :func:`sky_at_site`'s result."""
    lat, lon = sky["site_lat_deg"], sky["site_lon_deg"]
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    rows = [
        f"Sky over {abs(lat):.4f} {ns}, {abs(lon):.4f} {ew} (MOON_ME) at {sky['utc']} UTC"
        f"  [{sky['ephemeris'].upper()}]",
        "",
        f"  {'body':<6} {'azimuth':>9} {'':>3} {'elevation':>10} {'ang. radius':>12}",
        f"  {'Sun':<6} {sky['sun_az_deg']:8.2f}° {_compass(sky['sun_az_deg']):>3} "
        f"{sky['sun_el_deg']:9.2f}° {sky['sun_angular_radius_deg']:11.4f}°",
        f"  {'Earth':<6} {sky['earth_az_deg']:8.2f}° {_compass(sky['earth_az_deg']):>3} "
        f"{sky['earth_el_deg']:9.2f}° {sky['earth_angular_radius_deg']:11.4f}°",
        "",
        f"  Earth-Moon distance (centres): {sky['earth_moon_distance_km']:,.1f} km",
        f"  Earth's disk lit:              {100 * sky['earth_illuminated_fraction']:.1f} %",
        f"  Sun overhead on Earth at:      {sky['subsolar_lat_deg']:.2f} lat, "
        f"{sky['subsolar_lon_deg']:.2f} lon",
        f"  Previous sunrise/sunset:       {_event_text(sky['previous_sun_event'])}",
        f"  Next sunrise/sunset:           {_event_text(sky['next_sun_event'])}",
        "",
        "  azimuth from north through east; elevation above the 1737.4 km sphere's horizon",
    ]
    return "\n".join(rows)


def _handler(args: argparse.Namespace) -> int:
    lat, lon = parse_site(args.site)
    from ..ephemeris import CoverageError

    try:
        sky = sky_at_site(args.utc, lat, lon)
    except CoverageError as exc:  # name the option that asked for the time
        raise CoverageError(f"--utc {shown(args.utc)}: {exc}") from None
    if args.json:
        print(json.dumps(sky, indent=2))
    else:
        print(format_table(sky))
    return 0


def register(subparsers) -> None:
    """Add the ``ephem`` subcommand."""
    p = subparsers.add_parser(
        "ephem",
        help=_("where the Sun and Earth stand in the sky of a lunar site at a UTC instant"),
        description=(
            _("Print the azimuth (from north through east) and elevation of the Sun and Earth "
            "seen from a selenographic site (MOON_ME latitude/longitude on the 1737.4 km "
            "sphere), the Earth-Moon distance and how much of the Earth's disk is sunlit. "
            "Uses the DE421 SPICE kernels (1900-2050).")
        ),
        epilog=_("example: lunarviz ephem --utc 2025-06-05T19:17:00 --site 60.5,-4.6 --json"),
    )
    p.add_argument("--utc", required=True, metavar="T",
                   help=_("UTC instant, ISO 8601, e.g. 2025-06-05T19:17:00"))
    p.add_argument("--site", required=True, metavar="LAT,LON",
                   help=_("site latitude,longitude in degrees (north and east positive), "
                        "e.g. 60.5,-4.6 or -80.13,1.44"))
    p.add_argument("--json", action="store_true",
                   help="print a JSON object (keys: " + ", ".join(JSON_KEYS) + ", ...)")
    p.set_defaults(func=_handler)
