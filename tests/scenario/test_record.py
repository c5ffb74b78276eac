"""Published telemetry (``[[record]]``): the schema, ``fly --check-record`` on every shipped scene, HUD text."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lunarviz import cli, record, scenario
from lunarviz.errors import ScenarioError

SCENES = Path(__file__).resolve().parents[2] / "scenes"
BASE = (SCENES / "resilience.toml").read_text()

_ENTRY = '''
[[record]]
label = "test"
at = "touchdown"
quantity = "descent_rate"
value = 42.0
unit = "m/s"
tolerance = 6.0
must_match = true
source = "a test"
'''


def _err(tmp_path, extra: str) -> tuple[str, int]:
    text = BASE + extra
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(ScenarioError) as ei:
        scenario.load(p)
    msg = str(ei.value)
    assert "\n" not in msg and msg.startswith(f"{p}:")
    return msg, len(BASE.splitlines())


@pytest.mark.parametrize("old,new,key,expect", [
    ('quantity = "descent_rate"', 'quantity = "velocity"', "quantity", "one of 'altitude'"),
    ('unit = "m/s"', 'unit = "knots"', "unit", "one of 'm/s', 'km/h', 'ft/s', 'mph'"),
    ('at = "touchdown"', 'at = "touchdwon"', "at", "touchdown"),
    ('at = "touchdown"', 'at = "touchdown"\nat_altitude_m = 100.0', "at", "exactly one of at"),
    ("tolerance = 6.0", "", "tolerance", "must_match = true needs a tolerance"),
    ("value = 42.0", 'value = "fast"', "value", "a number"),
    ('source = "a test"', "", None, "missing required key 'source'"),
    ("must_match = true", "must_match = true\ncolour = 3", "colour", "unknown key"),
])
def test_record_errors_name_file_line_key_and_expectation(tmp_path, old, new, key, expect):
    msg, n_base = _err(tmp_path, _ENTRY.replace(old, new))
    assert expect in msg
    line = int(msg.split(":")[1])
    assert line > n_base  # the line is inside the added entry, not somewhere in the base file
    if key is not None:
        assert f"record[9].{key}" in msg or "record[9]" in msg


def test_record_entries_are_read(tmp_path):
    scn = scenario.load(SCENES / "resilience.toml")
    labels = {e.label for e in scn.records}
    assert {"livestream", "ispace", "LRO"} <= labels
    e = next(e for e in scn.records if e.at == "planned-105s" and e.quantity == "speed")
    assert (e.value, e.unit, e.tolerance, e.must_match) == (187.0, "km/h", 10.0, True)
    assert any(e.doubt and e.value == 52.0 for e in scn.records)  # the disputed figure stays, with its doubt


@pytest.mark.parametrize("name", scenario.shipped_scenes())
def test_every_shipped_scene_reproduces_its_record(name, capsys):
    rc = cli.main(["fly", name, "--check-record", "--json"])
    out = json.loads(capsys.readouterr().out)
    bad = [r for r in out["record"] if r["status"] == "FAIL"]
    assert rc == 0 and out["passed"] and not bad, bad
    assert sum(r["must_match"] for r in out["record"]) >= 1  # each scene states what it must reproduce


def test_check_record_fails_with_exit_1_when_a_must_match_value_is_off(tmp_path, capsys):
    p = tmp_path / "resilience.toml"
    p.write_text(BASE.replace("value = 42.0 ", "value = 20.0 "))
    rc = cli.main(["fly", str(p), "--check-record"])
    out = capsys.readouterr().out
    assert rc == 1
    row = next(line for line in out.splitlines() if "descent_rate" in line)
    assert row.split()[0] == "FAIL" and "20.0 m/s" in row and "45.6 m/s" in row and "+25.6 m/s" in row
    assert "FAILED: 5 of 6" in out


def test_hud_shows_the_livestream_beside_the_simulation():
    from lunarviz import physics

    traj = physics.fly(scenario.load(SCENES / "resilience.toml"))
    checks = record.check(traj)
    et = next(c.et_s for c in checks if c.entry.at == "planned-105s")
    text = record.hud_text(traj, et + 2.0, checks)
    assert "livestream: 187 km/h, 52.0 m at L-01:45  (sim 187 km/h, 530 m)" in text
    assert "press report: 192 m" in text
    assert record.hud_text(traj, et - 1.0, checks) != text
    first = min(c.et_s for c in checks)
    assert record.hud_text(traj, first - 1.0, checks) == ""
    td = record.hud_text(traj, traj.event("touchdown").et_s + 1.0, checks)
    assert "ispace: 42.0 m/s at L-01:34  (sim 45.6 m/s)" in td
    assert "ispace plan: 19:17:00 UTC  (sim 19:15:26 UTC)" in td
    pts = record.plot_points(checks, "altitude", "km")
    assert sorted(round(v, 3) for t, v, _label, _ok in pts if abs(t - et) < 1e-6) == [0.052, 0.192]


def test_hud_shows_the_engine_off_interval_and_the_rejected_rangefinder():
    from lunarviz import physics
    from lunarviz.render.hud import format_lines

    b = physics.fly(scenario.load(SCENES / "beresheet.toml"))
    reset, back = b.event("imu_reset").et_s, b.event("engine_restart").et_s
    rows = format_lines(b, b.at(reset + 20.0), reset + 20.0)["bottom_left"]
    assert "ENG  OFF: IMU RESET   20/58 s" in rows and b.at(reset + 20.0).throttle == 0.0
    assert "ENG" not in format_lines(b, b.at(back + 1.0), back + 1.0)["bottom_left"]
    m1 = physics.fly(scenario.load(SCENES / "hakuto-r-m1.toml"))
    rej = m1.event("lrf_rejected").et_s
    assert "LRF  REJECTED (range jump)" in format_lines(m1, m1.at(rej + 30.0), rej + 30.0)["bottom_left"]
    assert "REJECTED" not in format_lines(m1, m1.at(rej - 2.0), rej - 2.0)["bottom_left"]


def test_slim_lost_nozzle_leans_the_lander_and_shows_on_the_hud():
    from lunarviz import physics
    from lunarviz.render.hud import format_lines

    scn = scenario.load(SCENES / "slim.toml")
    t = physics.fly(scn)
    out, td = t.event("engine_out"), t.event("touchdown")
    assert out.alt_m == pytest.approx(50.0, abs=3.0)

    def lean_deg(et):
        s = t.at(et)
        return float(np.degrees(np.arccos(np.clip(np.dot(s.body_up, s.up), -1, 1))))

    lean = [lean_deg(et) for et in np.linspace(out.et_s + 8.0, td.et_s - 0.5, 8)]
    assert min(lean) > 4.0  # the attitude control leans against the off-axis thrust all the way down
    whole = physics.fly(replace(scn, engine_out=None))
    lean0 = [float(np.degrees(np.arccos(np.clip(np.dot(s.body_up, s.up), -1, 1))))
             for s in (whole.at(et) for et in np.linspace(out.et_s + 8.0, whole.event("touchdown").et_s - 0.5, 8))]
    assert max(lean0) < 2.0  # without the fault it comes down upright
    rows = format_lines(t, t.at(out.et_s + 1.0), out.et_s + 1.0)["bottom_left"]
    assert "ENG  NOZZLE LOST -50 %, 10 deg OFF AXIS" in rows
    assert "NOZZLE" not in format_lines(t, t.at(out.et_s - 1.0), out.et_s - 1.0)["bottom_left"]


def test_the_earth_photo_flight_only_orbits_with_a_nearly_full_earth_above_the_limb(capsys):
    from lunarviz import ephemeris, physics
    from lunarviz.render.timespec import parse_time_spec

    scn = scenario.load(SCENES / "resilience-earth-photo.toml")
    assert scn.guidance is None and scn.start.end_utc == "2025-05-27T04:00:00.000"
    t = physics.fly(scn)
    assert t.event("touchdown") is None and t.event("powered_descent") is None
    assert np.ptp(t.alt_m) < 500.0 and t.propellant_kg[-1] == scn.vehicle.propellant_kg  # a coast, ~100 km up
    et = parse_time_spec("2025-05-27T02:03:30", t)
    pos = t.at(et).pos_m
    assert ephemeris.earth_above_limb(pos, et)
    assert float(ephemeris.earth_illuminated_fraction(pos, et)) > 0.97  # the day of the new Moon: a full Earth
    assert cli.main(["fly", "resilience-earth-photo"]) == 0
    assert "none (this flight only orbits)" in capsys.readouterr().out


def test_end_utc_only_without_guidance(tmp_path):
    p = tmp_path / "bad.toml"
    epoch = 'epoch_utc = "2025-06-05T16:05:00"'
    p.write_text(BASE.replace(epoch, epoch + '\nend_utc = "2025-06-05T18:00:00"'))
    with pytest.raises(ScenarioError, match=r"bad\.toml:\d+: \[start\] end_utc = .*expected no end_utc in a"):
        scenario.load(p)


def test_a_time_published_to_the_day_only_is_shown_as_its_date(capsys):
    from lunarviz import physics

    rc = cli.main(["fly", "im-2", "--check-record"])
    out = capsys.readouterr().out
    assert rc == 0 and "1 published value" in out and "1 published values" not in out
    row = next(line for line in out.splitlines() if line.strip().startswith("ok") and " time " in line)
    assert "2025-03-06  2025-03-06 17:30" in row and "12:00" not in row  # no invented hour of the day
    traj = physics.fly(scenario.load(SCENES / "im-2.toml"))
    hud = record.hud_text(traj, traj.event("touchdown").et_s + 1.0)
    assert "reported: 2025-03-06  (sim 17:30:17 UTC)" in hud
