"""What the fuzz suite shares: the small base scenario, a TOML writer, mutations, the invariants and the budget.

``LUNARVIZ_FUZZ_CASES`` (default 300) sets how many scenario cases the suite draws; the other fuzz
tests draw a fixed fraction of it. ``LUNARVIZ_FUZZ_CASE_S`` (default 60) is the hang guard of one case:
a case still running after it fails as a hang (it is a guard against endless loops, not a speed test:
a case takes ~0.1 s).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import re
import signal
import tomllib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
BASE_TEXT = (HERE / "small.toml").read_text()
BASE = tomllib.loads(BASE_TEXT)
#: how many scenario cases to draw (CI: 300; a long run: 5000)
CASES = int(os.environ.get("LUNARVIZ_FUZZ_CASES", "300"))
#: the hang guard of one case, s
CASE_S = float(os.environ.get("LUNARVIZ_FUZZ_CASE_S", "60"))
#: how far below the terrain a sample before touchdown may lie, m
BELOW_TOLERANCE_M = 1.0
#: the longest one-line message a case may produce, characters
MAX_MESSAGE_CHARS = 600


# --------------------------------------------------------------------------- TOML
def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def dumps(d: dict, prefix: tuple[str, ...] = ()) -> str:
    """A TOML text of ``d`` (nested dicts become [tables]; anything else an inline value)."""
    lines, subs = [], []
    for k, v in d.items():
        if isinstance(v, dict) and v and all(isinstance(x, (dict, str, int, float, bool, list)) for x in v.values()):
            subs.append((k, v))
        else:
            lines.append(f"{_key(k)} = {toml_value(v)}")
    out = ""
    if prefix and (lines or not subs):
        out += "[" + ".".join(_key(p) for p in prefix) + "]\n"
    out += "".join(line + "\n" for line in lines)
    for k, v in subs:
        out += "\n" + dumps(v, (*prefix, k))
    return out


def leaves(d: dict, prefix: tuple = ()) -> list[tuple]:
    """Key paths of every value that is not a table."""
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            out += leaves(v, (*prefix, k))
        else:
            out.append((*prefix, k))
    return out


def tables(d: dict, prefix: tuple = ()) -> list[tuple]:
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            out.append((*prefix, k))
            out += tables(v, (*prefix, k))
    return out


def get(d: dict, path: tuple):
    for p in path:
        d = d[p]
    return d


def put(d: dict, path: tuple, value) -> None:
    for p in path[:-1]:
        d = d.setdefault(p, {}) if isinstance(d.get(p), dict) or p not in d else d[p]
        if not isinstance(d, dict):
            return
    d[path[-1]] = value


def delete(d: dict, path: tuple) -> None:
    with contextlib.suppress(KeyError, TypeError):
        del get(d, path[:-1])[path[-1]]


def shift_utc(text: str, seconds: float) -> str:
    t = dt.datetime.fromisoformat(text) + dt.timedelta(seconds=seconds)
    return t.isoformat(timespec="milliseconds")


# --------------------------------------------------------------------------- checks
def check_message(msg: str, source: str) -> None:
    """One line, naming the file, and a table, key or line in it."""
    assert "\n" not in msg, msg
    assert len(msg) <= MAX_MESSAGE_CHARS, msg[:200]
    assert msg.startswith(source), msg
    assert "Traceback" not in msg and "datetime.datetime(" not in msg, msg
    assert re.search(r"\[[^\]]+\]|\(top level\)|\w+(\[\d+\])?\.\w+|\.toml:\d+|TOML|nesting|\w+_\w+", msg), msg


def check_flight(traj) -> None:
    """The invariants of a flown trajectory (issue #16)."""
    for name in ("et_s", "pos_m", "vel_mps", "mass_kg", "alt_m", "throttle"):
        assert np.isfinite(getattr(traj, name)).all(), f"{name} not finite"
    prop = traj.mass_kg - traj.dry_mass_kg
    assert prop.min() >= -1e-9, f"propellant {prop.min()} kg"
    assert np.diff(traj.mass_kg).max(initial=0.0) <= 1e-9, "mass increased"
    assert np.all(np.diff(traj.et_s) > 0), "samples not in time order"
    phase = np.asarray(traj.phase_names)[traj.phase]
    before = phase != "surface"
    assert traj.alt_m[before].min(initial=0.0) >= -BELOW_TOLERANCE_M, \
        f"{-traj.alt_m[before].min():.2f} m below the terrain before touchdown"
    t0, t1 = traj.et_s[0] - 1e-6, traj.et_s[-1] + 1e-6
    times = [e.et_s for e in traj.events]
    assert all(t0 <= t <= t1 for t in times), "an event outside the flight"
    assert times == sorted(times), "events out of order"
    names = [e.name for e in traj.events]
    assert names.count("touchdown") <= 1
    scn = traj.scenario
    if scn is not None and scn.vehicle.propellant_kg > 0 and prop.min() <= 1e-9:
        assert "propellant_exhausted" in names, "the tank ran dry without propellant_exhausted"


class Hang(Exception):
    """A case ran past its budget."""


@contextlib.contextmanager
def budget(seconds: float = CASE_S):
    """Fail a case still running after ``seconds`` (a hang guard; SIGALRM)."""
    def on_alarm(_signum, _frame):
        raise Hang(f"still running after {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------- DEM files
def pds3(lines: int, samples: int, bits: str, stype: str, data_bytes: int | None = None, scale: str = "1") -> bytes:
    """A PDS3 image with an attached label (fields as given, even nonsense)."""
    label = (f"PDS_VERSION_ID = PDS3\r\nRECORD_TYPE = FIXED_LENGTH\r\nRECORD_BYTES = 64\r\n^IMAGE = 9\r\n"
             f"OBJECT = IMAGE\r\n  LINES = {lines}\r\n  LINE_SAMPLES = {samples}\r\n  SAMPLE_TYPE = {stype}\r\n"
             f"  SAMPLE_BITS = {bits}\r\n  SCALING_FACTOR = {scale}\r\nEND_OBJECT = IMAGE\r\n"
             f"OBJECT = IMAGE_MAP_PROJECTION\r\n  MAP_SCALE = 5 <METERS/PIXEL>\r\nEND_OBJECT\r\nEND\r\n").encode()
    n = 8 * 64 - len(label)
    body = np.linspace(-20, 20, 32 * 32).astype("<f4").tobytes()
    return label + b" " * max(n, 0) + body[:data_bytes]


def write_dems(folder: Path) -> list[str]:
    """DEM files, good and bad; returns their paths (and two that are not DEM files)."""
    out = []

    def add(name, data=None, array=None):
        p = folder / name
        if array is not None:
            np.save(p, array, allow_pickle=True)
        else:
            p.write_bytes(data)
        out.append(str(p))

    add("ok.npy", array=np.random.default_rng(1).normal(0, 5, (40, 40)))
    add("flat.npy", array=np.zeros(7))
    add("nan.npy", array=np.full((8, 8), np.nan))
    add("huge.npy", array=np.full((8, 8), 1e300))
    add("spike.npy", array=np.pad(np.full((1, 1), 5000.0), 20))
    add("objects.npy", array=np.array([["a", None], [1, 2]], dtype=object))
    add("ok.img", pds3(32, 32, "32", "PC_REAL"))
    add("bits12.img", pds3(32, 32, "12", "PC_REAL"))
    add("bits0.img", pds3(32, 32, "0", "LSB_INTEGER"))
    add("bitsx.img", pds3(32, 32, "lots", "MSB_UNSIGNED_INTEGER"))
    add("nolines.img", pds3(-3, 32, "32", "PC_REAL"))
    add("bigsize.img", pds3(10**9, 10**9, "32", "PC_REAL"))
    add("truncated.img", pds3(32, 32, "32", "PC_REAL", data_bytes=1000))
    add("nanscale.img", pds3(32, 32, "32", "PC_REAL", scale="nan"))
    add("bad.tif", b"II*\x00garbage")
    add("text.lbl", b"LINES = 3\n")
    add("dem.xyz", b"1 2 3\n")
    out.append(str(folder / "missing.npy"))
    out.append(str(folder))
    return out
