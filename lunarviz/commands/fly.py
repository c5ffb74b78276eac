"""``lunarviz fly SCENE``: fly a scenario and report how it ended.

Output contracts:

* default: a readable summary (outcome, touchdown, events);
* ``--json``: one JSON object with at least ``outcome``, ``touchdown_utc``,
  ``touchdown_vertical_speed_mps``, ``touchdown_horizontal_speed_mps``,
  ``touchdown_lat_deg``, ``touchdown_lon_deg``, ``propellant_remaining_kg``,
  ``powered_descent_start_utc`` and ``events`` (``{name, utc, alt_m, speed_mps}``);
* ``--csv PATH``: the time series at >= 1 Hz (every integration sample, i.e.
  10 Hz, in powered flight) with header
  ``utc,t_s,alt_m,est_alt_m,vertical_speed_mps,horizontal_speed_mps,mass_kg,throttle,phase,lrf_valid``;
* ``--spk PATH``: the trajectory as a SPICE SPK (type 13, centre MOON, J2000);
* ``--check-record``: each published value of the scenario's ``[[record]]`` beside the
  simulated one and the difference (:mod:`lunarviz.record`); exit status 1 when an entry
  marked ``must_match`` is outside its tolerance (with ``--json``: ``{"record": [...]}``);
* ``--dispersions N --seed S``: N Monte Carlo runs at once; success rate and
  the 99 % landing ellipse; ``--touchdowns PATH`` writes the touchdown points.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys

import numpy as np

from ..i18n import _, ngettext
from . import add_scene_argument

CSV_HEADER = ["utc", "t_s", "alt_m", "est_alt_m", "vertical_speed_mps", "horizontal_speed_mps",
              "mass_kg", "throttle", "phase", "lrf_valid"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "fly", help=_("fly a scenario (descent physics + GNC) and report the outcome"),
        description=_("Fly SCENE from its start to touchdown and report the outcome: one flight, or "
                    "N dispersed Monte Carlo runs with --dispersions."),
    )
    add_scene_argument(p)
    p.add_argument("--json", action="store_true", help=_("print the result as one JSON object"))
    p.add_argument("--csv", metavar="PATH", help=_("write the time series as CSV (>= 1 Hz, 10 Hz when powered)"))
    p.add_argument("--spk", metavar="PATH", help=_("write the trajectory as a SPICE SPK (type 13, MOON, J2000)"))
    p.add_argument("--spk-id", type=int, default=-999, metavar="ID",
                   help=_("NAIF id of the lander in the SPK (negative; default -999)"))
    p.add_argument("--check-record", action="store_true",
                   help=_("compare the flight with the scenario's published telemetry ([[record]]); exit 1 "
                        "when a value marked must_match is outside its tolerance"))
    p.add_argument("--seed", type=int, default=0, help=_("random seed (sensor noise, dispersions)"))
    p.add_argument("--dispersions", type=int, default=0, metavar="N",
                   help=_("fly N dispersed Monte Carlo runs (vectorised) instead of one"))
    p.add_argument("--touchdowns", metavar="PATH", help=_("with --dispersions: write touchdown points as CSV"))
    p.set_defaults(func=handle)


def _fmt(x, spec=".1f", unit=""):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:{spec}}{unit}"


def handle(args: argparse.Namespace) -> int:
    from ..errors import LunarvizError
    from ..fileio import check_writable
    from ..physics.montecarlo import check_runs
    from ..scenario import load, resolve

    check_runs(args.dispersions, "--dispersions")
    if not 0 <= args.seed < 2**63:
        raise LunarvizError(f"--seed {args.seed}: expected an integer from 0 to 2**63-1")
    if not -(2**31) <= args.spk_id < 0:
        raise LunarvizError(f"--spk-id {args.spk_id}: expected a negative NAIF id (spacecraft), >= -2147483648")
    if args.touchdowns and not args.dispersions:
        raise LunarvizError("--touchdowns needs --dispersions N")
    for out in (args.csv, args.spk, args.touchdowns):  # before the flight: a bad path fails at once
        if out:
            check_writable(out)
    scn = load(resolve(args.scene))
    if args.dispersions:
        return _monte_carlo(scn, args)
    from ..physics import fly, outcome_summary

    traj = fly(scn, seed=args.seed)
    if args.check_record:
        return _check_record(scn, traj, args.json)
    summary = outcome_summary(traj)
    if args.csv:
        write_csv(traj, args.csv)
    if args.spk:
        write_spk(traj, args.spk, args.spk_id)
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_summary(scn, summary)
    return 0


def _check_record(scn, traj, as_json: bool) -> int:
    from .. import record

    checks = record.check(traj)
    bad = record.failures(checks)
    if as_json:
        json.dump({"scenario": scn.name, "passed": not bad, "record": [record.as_dict(c) for c in checks]},
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        head = ngettext("{title}  ({path}): {n} published value", "{title}  ({path}): {n} published values",
                        len(checks))
        print(head.format(title=_(scn.title), path=scn.path, n=len(checks)))
        for line in record.report_lines(checks):
            print("  " + line)
        must = sum(c.entry.must_match for c in checks)
        print("  " + _("{verdict}: {ok} of {must} must_match values within tolerance").format(
            verdict=_("FAILED") if bad else _("passed"), ok=must - len(bad), must=must))
    return 1 if bad else 0


def _print_summary(scn, s: dict) -> None:
    """The readable summary, numbers in the units in use (:mod:`lunarviz.units`; ``--json`` stays SI)."""
    from ..units import fmt

    print(f"{_(s['title']) if s['title'] else s['title']}  ({scn.path})")
    print(_("  outcome:            {outcome}").format(outcome=_(s["outcome"])))  # physics.outcome.OUTCOME_WORDS
    if s["touchdown_utc"]:
        print(_("  touchdown:          {utc} UTC (planned {planned})").format(utc=s["touchdown_utc"],
                                                                           planned=s["planned_touchdown_utc"]))
        print(_("  vertical speed:     {vs}   horizontal: {hs}").format(
            vs=fmt(s["touchdown_vertical_speed_mps"], "speed", ".2f"),
            hs=fmt(s["touchdown_horizontal_speed_mps"], "speed", ".2f")))
        print(_("  where:              {lat} lat, {lon} lon ({miss} from the target)").format(
            lat=_fmt(s["touchdown_lat_deg"], ".4f", " deg"), lon=_fmt(s["touchdown_lon_deg"], ".4f", " deg"),
            miss=fmt(s["touchdown_miss_distance_m"], "distance", ".0f")))
    pd = s["powered_descent_start_utc"]
    print(_("  powered descent:    {when}").format(when=pd + " UTC" if pd else _("none (this flight only orbits)")))
    print(_("  propellant left:    {kg}").format(kg=fmt(s["propellant_remaining_kg"], "mass", ".1f")))
    print(_("  events:"))
    for e in s["events"]:
        print(_("    {utc}  {name:22s} alt {alt}  speed {speed}").format(
            utc=e["utc"], name=e["name"], alt=fmt(e["alt_m"], "altitude", "10.0f", missing="-"),
            speed=fmt(e["speed_mps"], "speed", "8.1f")))


def csv_times(traj) -> np.ndarray:
    """Every trajectory sample plus a 1 Hz grid (so coasts are >= 1 Hz too)."""
    grid = np.arange(traj.start_et_s, traj.end_et_s, 1.0)
    t = np.union1d(traj.et_s, grid)
    keep = np.concatenate([[True], np.diff(t) > 5e-3])  # t_s is written to the millisecond
    return t[keep]


def csv_rows(traj):
    """The CSV's data rows (:data:`CSV_HEADER` order, formatted as written): for ``--csv``,
    :meth:`Trajectory.to_csv` and :meth:`Trajectory.to_dataframe`."""
    from ..timebase import et_to_utc

    times = csv_times(traj)
    utcs = et_to_utc(times, 3)
    t0 = traj.start_et_s
    for et, utc in zip(times, utcs, strict=True):
        st = traj.at(float(et))
        yield [
            utc, f"{et - t0:.3f}", f"{st.alt_m:.2f}", f"{st.est_alt_m:.2f}",
            f"{st.vertical_speed_mps:.3f}", f"{st.horizontal_speed_mps:.3f}",
            f"{st.mass_kg:.3f}", f"{st.throttle:.4f}", st.phase_name, int(st.lrf_valid),
        ]


def write_csv(traj, path: str) -> None:
    from ..fileio import atomic_output

    with atomic_output(path) as tmp:
        with open(tmp, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(CSV_HEADER)
            w.writerows(csv_rows(traj))


def trajectory_j2000(traj) -> tuple[np.ndarray, np.ndarray]:
    """Positions / velocities of the trajectory samples in J2000 (Moon-centred, m, m/s)."""
    from ..physics.frames import rot_and_rate

    rot, rdot = rot_and_rate(traj.et_s)
    r_in = np.einsum("nji,nj->ni", rot, traj.pos_m)
    v_in = np.einsum("nji,nj->ni", rot, traj.vel_mps - np.einsum("nij,nj->ni", rdot, r_in))
    return r_in, v_in


def write_spk(traj, path: str, naif_id: int = -999) -> None:
    """The trajectory as an SPK: one type-13 segment for the flight up to touchdown and,
    if the lander rests on the surface afterwards, a second one from touchdown on."""
    from ..ephemeris import write_spk_type13
    from ..fileio import atomic_output

    r_in, v_in = trajectory_j2000(traj)
    et = traj.et_s
    more = ()
    surface = np.nonzero(np.asarray(traj.phase_names)[traj.phase] == "surface")[0]
    if surface.size and surface[0] >= 2:
        k = int(surface[0])  # first resting sample; k-1 is the touchdown sample
        rest_et = np.concatenate([[et[k - 1]], et[k:]])
        rest_r = np.concatenate([r_in[k - 1:k], r_in[k:]])
        rest_v = np.concatenate([v_in[k:k + 1], v_in[k:]])  # resting velocity (Moon rotation only)
        more = ((rest_et, rest_r, rest_v),)
        et, r_in, v_in = et[:k], r_in[:k], v_in[:k]
    from ..fileio import check_writable

    check_writable(path, need_bytes=len(et) * 6 * 8 * 2)  # SPICE reports a full disk only as DAFFRNOTFOUND
    with atomic_output(path) as tmp:
        tmp.unlink()  # SPICE will not overwrite: give it a fresh name
        write_spk_type13(tmp, naif_id, et, r_in, v_in, center=301, frame="J2000",
                         segment_id=f"lunarviz {traj.scenario.name if traj.scenario is not None else ''}",
                         more_segments=more)


def _monte_carlo(scn, args) -> int:
    from ..fileio import atomic_output
    from ..physics import montecarlo
    from ..timebase import et_to_utc

    res = montecarlo.run(scn, args.dispersions, seed=args.seed)
    d = res.to_dict()
    d["scenario"] = scn.name
    if args.touchdowns:
        with atomic_output(args.touchdowns) as tmp:
            with open(tmp, "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["run", "outcome", "utc", "lat_deg", "lon_deg", "east_m", "north_m",
                            "vertical_speed_mps", "horizontal_speed_mps", "propellant_kg"])
                for i in range(res.runs):
                    et = res.touchdown_et_s[i]
                    utc = et_to_utc(float(et)) if math.isfinite(et) else ""
                    w.writerow([i, res.outcome[i], utc] + [
                        f"{v:.6f}" if math.isfinite(v) else "" for v in (
                            res.lat_deg[i], res.lon_deg[i], res.east_m[i], res.north_m[i],
                            res.vertical_speed_mps[i], res.horizontal_speed_mps[i], res.propellant_kg[i])])
    if args.json:
        json.dump(d, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        el = d["landing_ellipse"]
        print(_("{title}: {runs} dispersed runs (seed {seed})").format(title=_(scn.title), runs=res.runs,
                                                                        seed=res.seed))
        print(_("  success rate: {pct:.1f} %  ({outcomes})").format(pct=100 * res.success_rate,
                                                                   outcomes=d["outcomes"]))
        if not math.isfinite(el["center_east_m"]):  # no run touched down (a flight that only orbits)
            print(_("  99 % landing ellipse: none (no run touched down)"))
            return 0
        print(_("  99 % landing ellipse: centre {east:.0f} m E, {north:.0f} m N of the target; semi-axes "
                "{major:.0f} x {minor:.0f} m, major axis azimuth {az:.0f} deg").format(
            east=el["center_east_m"], north=el["center_north_m"], major=el["semi_major_m"],
            minor=el["semi_minor_m"], az=el["major_axis_azimuth_deg"]))
    return 0
