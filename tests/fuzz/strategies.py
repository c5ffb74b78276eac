"""Hypothesis strategies: mutated scenario files (values, types, deletions, syntax, garbage, nesting, terrain and
DEM files, start states, faults and times) built from the small base scenario (``small.toml``)."""

from __future__ import annotations

import copy

import numpy as np
from fuzzkit import BASE, BASE_TEXT, dumps, get, leaves, put, shift_utc, tables
from hypothesis import strategies as st

from lunarviz.geometry import MOON_RADIUS_M, enu_basis

_FACTORS = [-1.0, 0.0, 1e-300, 1e-9, 1e-3, 0.1, 0.5, 0.9, 1.1, 2.0, 10.0, 1e3, 1e9, 1e300]
_MILD = [0.5, 0.8, 0.95, 1.05, 1.25, 2.0]
_SPECIAL = [0, -1, 0.0, -0.0, 1e-300, 1e300, float("inf"), float("-inf"), float("nan"), 10**30, -(10**30),
            2**63, 1.7976931348623157e308]
_WRONG = ["text", "", True, False, [], {}, [1, 2, 3], [[1]], {"a": 1}, "x" * 1000, "2025-06-05T12:00:00",
          "1979-05-27T07:32:00Z"]
_TIME_KEYS = [("site", "planned_touchdown_utc"), ("start", "epoch_utc"), ("guidance", "braking", "start_utc"),
              ("guidance", "braking", "end_utc"), ("faults", "imu_reset", "at_utc")]
_SHIFTS = [-1e9, -86400.0, -3600.0, -60.0, -5.0, -1.0, -0.001, 0.0, 0.001, 1.0, 5.0, 60.0, 3600.0, 86400.0,
           4 * 86400.0, 1e9]
#: optional keys (and tables) the base does not hold, with plausible and implausible values
_OPTIONAL = {
    ("guidance", "approach"): {"end_utc": "2025-06-05T12:00:30", "gate_uprange_m": 0.0, "gate_alt_m": 100.0,
                               "gate_horizontal_speed_mps": 0.0, "gate_vertical_speed_mps": -5.0},
    ("guidance", "deorbit"): {"start_utc": "2025-06-05T12:00:00.500", "delta_v_mps": 1.0, "throttle": 0.5},
    ("sensors", "lrf", "fault_valid_below_m"): 300.0,
    ("sensors", "lrf", "jump_reject_m"): 5.0,
    ("sensors", "lrf", "max_off_nadir_deg"): 30.0,
    ("navigation", "vz_error_mps"): 2.0,
    ("navigation", "accel_bias_up_mps2"): 0.01,
    ("navigation", "downrange_error_m"): 50.0,
    ("dispersions", "velocity_mps"): 1.0,
    ("dispersions", "thrust_frac"): 0.05,
    ("terrain", "crater_density"): 0.5,
    ("terrain", "roughness"): 3.0,
    ("terrain", "max_crater_m"): 500.0,
    ("terrain", "cliff", "back_slope_m"): 10.0,
    ("terrain", "cliff", "length_m"): 300.0,
    ("story", "captions", "deorbit"): "Deorbit",
    ("story", "captions", "lrf_rejected"): "Rejected",
    ("render",): {"fps": 24, "speed": 2.0, "camera": "chase", "start": "touchdown-10s"},
}
_ALTITUDES = [-100.0, 0.0, 0.5, 5.0, 50.0, 300.0, 800.0, 5e3, 1e5, 1e7, 2e8]
_SPEEDS = [0.0, 1.0, 30.0, 300.0, 1700.0, 2500.0, 6000.0, 1e6, 9e8, 1e308]


def _number_near(draw, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return draw(st.sampled_from(_SPECIAL))
    return draw(st.one_of(st.sampled_from(_FACTORS).map(lambda f: v * f), st.sampled_from(_MILD).map(lambda f: v * f),
                          st.sampled_from(_SPECIAL), st.floats(allow_nan=True, allow_infinity=True)))


@st.composite
def _value(draw, old):
    kind = draw(st.sampled_from(["near", "near", "near", "wrong", "special"]))
    if kind == "near":
        return _number_near(draw, old)
    return copy.deepcopy(draw(st.sampled_from(_WRONG if kind == "wrong" else _SPECIAL)))  # never shared


def _state(draw, d):
    site = enu_basis(20.0, 30.0)  # the base's site (whatever a mutation made of [site])
    alt = draw(st.sampled_from(_ALTITUDES))
    off = draw(st.sampled_from([0.0, 100.0, 3000.0, 1e5])) * site[0]
    u = site[2] * MOON_RADIUS_M + off
    pos = u / np.linalg.norm(u) * (MOON_RADIUS_M + alt)
    speed = draw(st.sampled_from(_SPEEDS))
    direction = np.array(draw(st.tuples(*[st.floats(-1, 1)] * 3))) + 1e-3
    vel = direction / np.linalg.norm(direction) * speed
    return {"pos_m": [float(x) for x in pos], "vel_mps": [float(x) for x in vel]}


def _terrain(draw, dem_paths):
    kind = draw(st.sampled_from(["procedural", "sphere", "dem", "dem"]))
    t = {"kind": kind}
    if kind == "procedural":
        t.update(seed=draw(st.integers(0, 10)), extent_m=draw(st.sampled_from([500.0, 4000.0, 20000.0])),
                 min_crater_m=draw(st.sampled_from([1e-3, 5.0, 20.0, 100.0])),
                 relief_m=draw(st.sampled_from([0.0, 5.0, 300.0])))
        if draw(st.booleans()):
            t["cliff"] = {"height_m": draw(st.sampled_from([-500.0, 50.0, 300.0, 3000.0])),
                          "offset_m": draw(st.sampled_from([-200.0, 0.0, 150.0])),
                          "azimuth_deg": draw(st.sampled_from([0.0, 90.0, 200.0])),
                          "width_m": draw(st.sampled_from([0.5, 5.0, 50.0])),
                          "back_slope_m": draw(st.sampled_from([1.0, 50.0, 1000.0]))}
    elif kind == "dem":
        t["path"] = draw(st.sampled_from(dem_paths))
        if draw(st.booleans()):
            t["dem_spacing_m"] = draw(st.sampled_from([0.5, 10.0, 200.0, 1e300, -1.0]))
    return t


@st.composite
def _mutate(draw, d, dem_paths):
    op = draw(st.sampled_from(["value", "value", "delete", "table", "unknown", "time", "time", "state",
                               "terrain", "faults", "optional", "optional"]))
    if op == "value":
        path = draw(st.sampled_from(leaves(d) or [("story", "title")]))
        try:
            old = get(d, path)
        except (KeyError, TypeError):
            old = 1.0
        put(d, path, draw(_value(old)))
    elif op == "delete" and leaves(d):
        path = draw(st.sampled_from(leaves(d)))
        del get(d, path[:-1])[path[-1]]
    elif op == "table" and tables(d):
        path = draw(st.sampled_from(tables(d)))
        get(d, path[:-1]).pop(path[-1])
    elif op == "unknown":
        path = draw(st.sampled_from(tables(d) or [()]))
        put(d, (*path, draw(st.sampled_from(["x", "dry_mass", "speed", "x" * 300, "é"]))), 1.0)
    elif op == "time":
        path = draw(st.sampled_from(_TIME_KEYS))
        try:
            put(d, path, shift_utc(str(get(d, path)), draw(st.sampled_from(_SHIFTS))))
        except (KeyError, TypeError, ValueError, OverflowError):
            pass
    elif op == "state":
        put(d, ("start", "state"), _state(draw, d))
    elif op == "terrain":
        d["terrain"] = _terrain(draw, dem_paths)
    elif op == "faults":
        put(d, ("faults", "imu_reset"), {"at_utc": shift_utc("2025-06-05T12:00:20", draw(st.sampled_from(_SHIFTS))),
                                         "engine_off_s": draw(st.sampled_from([1e-9, 0.5, 5.0, 60.0, 1e5, 1e6]))})
    else:
        path = draw(st.sampled_from(sorted(_OPTIONAL)))
        put(d, path, copy.deepcopy(_OPTIONAL[path]))
        if draw(st.booleans()) and not isinstance(_OPTIONAL[path], dict):
            put(d, path, draw(_value(_OPTIONAL[path])))


def _text_damage(draw, text):
    kind = draw(st.sampled_from(["junk", "cut", "nest", "nest_table", "garbage", "binary"]))
    lines = text.splitlines()
    if kind == "junk":
        i = draw(st.integers(0, len(lines)))
        lines.insert(i, draw(st.sampled_from(["[", "]]", "x = ", "= 1", "[a]]", "a = [1,", '"""', "[site]",
                                              "\x00", "key = 1 2"]) | st.text(max_size=40)))
        return "\n".join(lines)
    if kind == "cut":
        return text[:draw(st.integers(0, len(text)))]
    if kind == "nest":
        n = draw(st.sampled_from([10, 100, 500, 2000, 20000]))
        return text + f"\nnested = {'[' * n}1{']' * n}\n"
    if kind == "nest_table":
        n = draw(st.sampled_from([10, 300, 3000]))
        return text + f"\n[{'.'.join(['a'] * n)}]\nx = 1\n"
    if kind == "garbage":
        return draw(st.text(max_size=300))
    return draw(st.binary(max_size=200)).decode("latin-1")


@st.composite
def scenario_texts(draw, dem_paths):
    """A mutated scenario file (text) of the small base: ~70 % structured mutations, the rest text damage."""
    if draw(st.integers(0, 9)) < 8:
        d = copy.deepcopy(BASE)
        for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
            draw(_mutate(d, dem_paths))
        return dumps(d)
    return _text_damage(draw, BASE_TEXT)
