"""`lunarviz fly`: JSON/CSV/SPK contracts and the Monte Carlo mode."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from lunarviz.cli import main
from lunarviz.commands import fly as fly_cmd

SCENES = Path(__file__).resolve().parents[2] / "scenes"
SPK_TOL_M = 1.0
JSON_KEYS = {"outcome", "touchdown_utc", "touchdown_vertical_speed_mps", "touchdown_horizontal_speed_mps",
             "touchdown_lat_deg", "touchdown_lon_deg", "propellant_remaining_kg",
             "powered_descent_start_utc", "events"}


def test_json_contract(capsys, monkeypatch, fly_scene):
    tr = fly_scene("resilience")
    monkeypatch.setattr("lunarviz.physics.fly", lambda scn, seed=0: tr)
    assert main(["fly", str(SCENES / "resilience.toml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert JSON_KEYS <= set(out)
    assert out["outcome"] == "crashed"
    assert out["touchdown_utc"].startswith("2025-06-05T19:1")
    for e in out["events"]:
        assert set(e) >= {"name", "utc", "alt_m", "speed_mps"}
    names = [e["name"] for e in out["events"]]
    assert names.index("powered_descent") < names.index("touchdown")


def test_readable_summary_and_user_errors(capsys, tmp_path):
    assert main(["fly", str(tmp_path / "missing.toml")]) == 2
    err = capsys.readouterr().err
    assert "missing.toml" in err and "Traceback" not in err
    assert main(["fly", "resilience", "--dispersions", "-3"]) == 2


def test_csv_contract(tmp_path, fly_scene):
    tr = fly_scene("resilience")
    path = tmp_path / "r.csv"
    fly_cmd.write_csv(tr, str(path))
    with open(path) as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["utc", "t_s", "alt_m", "est_alt_m", "vertical_speed_mps", "horizontal_speed_mps",
                       "mass_kg", "throttle", "phase", "lrf_valid"]
    t = np.array([float(r[1]) for r in rows[1:]])
    assert np.all(np.diff(t) > 0) and np.max(np.diff(t)) <= 1.0 + 0.01           # >= 1 Hz (+ ms dedupe)
    powered = np.array([r[8] in ("braking", "approach", "terminal", "deorbit") for r in rows[1:]])
    gaps = np.diff(t)[powered[1:] & powered[:-1]]
    assert gaps.max() <= 0.1 + 1e-3                                              # >= 10 Hz powered
    assert {r[9] for r in rows[1:]} <= {"0", "1"}
    assert "terminal" in {r[8] for r in rows[1:]}


def test_spk_round_trip_within_a_metre(tmp_path, fly_scene):
    import spiceypy

    tr = fly_scene("resilience")
    path = tmp_path / "resilience.bsp"
    fly_cmd.write_spk(tr, str(path), -999)
    r_in, _ = fly_cmd.trajectory_j2000(tr)
    spiceypy.furnsh(str(path))
    try:
        idx = np.linspace(0, len(tr) - 1, 400).astype(int)
        got = np.array([spiceypy.spkgps(-999, float(tr.et_s[i]), "J2000", 301)[0] for i in idx]) * 1000.0
        assert np.max(np.linalg.norm(got - r_in[idx], axis=1)) < SPK_TOL_M
        # between samples too (coast 10 s, powered 0.1 s), against the trajectory's own interpolation
        mids = 0.5 * (tr.et_s[idx[:-1]] + tr.et_s[idx[:-1] + 1])
        from lunarviz.physics.frames import rot_j2000_to_me

        rot = rot_j2000_to_me(mids)
        got_me = np.einsum("nij,nj->ni", rot, np.array(
            [spiceypy.spkgps(-999, float(t), "J2000", 301)[0] for t in mids]) * 1000.0)
        ref = np.array([tr.at(float(t)).pos_m for t in mids])
        assert np.max(np.linalg.norm(got_me - ref, axis=1)) < SPK_TOL_M
    finally:
        spiceypy.unload(str(path))


def test_spk_cli_does_not_overwrite_half_written(tmp_path, fly_scene, monkeypatch):
    tr = fly_scene("apollo11")
    monkeypatch.setattr("lunarviz.physics.fly", lambda scn, seed=0: tr)
    out = tmp_path / "a.bsp"
    assert main(["fly", "apollo11", "--spk", str(out)]) == 0
    assert out.stat().st_size > 10000
    assert main(["fly", "apollo11", "--spk", str(out)]) == 0   # replacing an existing file works
    assert not list(tmp_path.glob(".*partial*"))


def test_monte_carlo_vectorised_and_seeded(tmp_path, capsys):
    out = tmp_path / "td.csv"
    assert main(["fly", "apollo11", "--dispersions", "12", "--seed", "3", "--json",
                 "--touchdowns", str(out)]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["runs"] == 12 and 0.0 <= d["success_rate"] <= 1.0
    el = d["landing_ellipse"]
    assert el["semi_major_m"] >= el["semi_minor_m"] >= 0.0
    with open(out) as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 13 and rows[0][:3] == ["run", "outcome", "utc"]
    from lunarviz import scenario
    from lunarviz.physics import montecarlo

    scn = scenario.load(SCENES / "apollo11.toml")
    a = montecarlo.run(scn, 12, seed=3)
    assert d["success_rate"] == pytest.approx(a.success_rate)
    td_csv = np.array([r[2] for r in rows[1:]])
    assert np.all(td_csv != "") == np.all(np.isfinite(a.touchdown_et_s))
    assert a.success_rate > 0.8           # Apollo 11 lands under modest dispersions


def test_dispersions_of_a_flight_that_only_orbits_say_there_is_no_ellipse(capsys):
    # resilience-earth-photo never descends: no touchdown, so no landing ellipse (it printed "nan m E")
    assert main(["fly", "resilience-earth-photo", "--dispersions", "3"]) == 0
    out = capsys.readouterr().out
    assert "landing ellipse: none (no run touched down)" in out and "nan" not in out
