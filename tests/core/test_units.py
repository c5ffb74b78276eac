"""Units (issue #13): the one setting (``--units`` / ``$LUNARVIZ_UNITS``) and the one formatter,
exact conversions, and the HUD and ``lunarviz fly`` text in imperial units."""

from __future__ import annotations

import pytest

from lunarviz import units
from lunarviz.cli import main
from lunarviz.errors import LunarvizError


def test_conversions_are_the_exact_definitions():
    assert units.FOOT_M == 0.3048
    assert units.MILE_M == pytest.approx(1609.344, abs=1e-12)
    assert units.POUND_KG == 0.45359237
    assert units.convert(0.3048, "altitude", "imperial") == 1.0
    assert units.convert(1609.344, "altitude_large", "imperial") == pytest.approx(1.0, rel=1e-15)
    assert units.convert(0.44704, "speed_road", "imperial") == pytest.approx(1.0, rel=1e-15)  # 1 mph
    assert units.convert(10.0, "speed_road", "metric") == pytest.approx(36.0, rel=1e-15)
    assert units.to_si(1.0, "mass", "imperial") == 0.45359237
    assert units.to_si(units.convert(123.4, "speed", "imperial"), "speed", "imperial") == pytest.approx(123.4)
    assert units.convert(1.0, "altitude", "metric") == 1.0


def test_formatter_writes_value_and_unit():
    assert units.fmt(42.0, "speed", "+.1f", sys_="metric") == "+42.0 m/s"
    assert units.fmt(42.0, "speed", ".1f", sys_="imperial") == "137.8 ft/s"
    assert units.fmt(float("nan"), "speed") == "-"
    assert units.fmt(100.0, "mass", ".0f", sys_="imperial") == "220 lb"
    assert units.altitude(152.4, sys_="imperial") == "500 ft"
    assert units.altitude(12_000.0, sys_="metric") == "12.0 km"
    assert units.altitude(50_000.0, sys_="imperial") == "31.1 mi"   # above 100,000 ft: miles
    assert units.altitude(-0.01, sys_="metric") == "0.0 m"           # no -0.0 on the ground
    assert units.altitude(152.4, width=8, sys_="metric") == "     152 m "  # a column the HUD lines up
    assert units.counterpart("km/h", "imperial")[0] == "mph"
    assert units.counterpart("ft", "metric") == ("ft", 1.0)         # a published value keeps its unit


def test_setting_from_option_environment_and_default(monkeypatch):
    assert units.system() == "metric"
    monkeypatch.setenv("LUNARVIZ_UNITS", "Imperial")
    assert units.set_units(None) == "imperial"
    assert units.set_units("metric") == "metric"
    with pytest.raises(LunarvizError, match=r"--units 'furlongs': expected one of metric, imperial"):
        units.set_units("furlongs")
    monkeypatch.setenv("LUNARVIZ_UNITS", "cubits")
    with pytest.raises(LunarvizError, match=r"\$LUNARVIZ_UNITS 'cubits'"):
        units.set_units(None)


def test_bad_units_are_one_line_and_exit_2(capsys, monkeypatch):
    assert main(["fly", "resilience", "--units", "furlongs"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["lunarviz fly: error: --units 'furlongs': expected one of metric, imperial"]
    monkeypatch.setenv("LUNARVIZ_UNITS", "x")
    assert main(["handout", "resilience", "-o", "x.pdf"]) == 2
    assert "$LUNARVIZ_UNITS 'x'" in capsys.readouterr().err


def test_hud_text_in_imperial(demo_traj_units):
    from lunarviz.render.hud import format_lines

    traj = demo_traj_units
    et = traj.planned_touchdown_et_s - 30.0
    st = traj.at(et)
    metric = format_lines(traj, st, et)["bottom_left"]
    units.set_units("imperial")
    imperial = format_lines(traj, st, et)["bottom_left"]
    assert "m/s" in metric and "km/h" in metric and "ft/s" not in metric
    assert "ft/s" in imperial and "mph" in imperial and "m/s" not in imperial and "km/h" not in imperial
    alt_ft = units.convert(st.alt_m, "altitude", "imperial")
    assert f"{alt_ft:.0f} ft" in imperial.splitlines()[0] or f"{alt_ft:.1f} ft" in imperial.splitlines()[0]
    mph = units.convert(st.horizontal_speed_mps, "speed_road", "imperial")
    assert f"{mph:7.0f} mph" in imperial


@pytest.fixture(scope="module")
def demo_traj_units():
    from lunarviz.render.synthetic import demo_trajectory

    return demo_trajectory(duration_s=1500.0, after_s=20.0, dt_s=2.0)


def test_fly_text_in_imperial_json_stays_si(capsys, monkeypatch):
    import json

    monkeypatch.setattr("lunarviz.physics.fly", lambda scn, seed=0: None)
    monkeypatch.setattr("lunarviz.physics.outcome_summary", lambda traj: _summary())
    assert main(["fly", "resilience", "--units", "imperial"]) == 0
    out = capsys.readouterr().out
    assert "vertical speed:     137.80 ft/s" in out
    assert "propellant left:    220.5 lb" in out
    assert "(3281 ft from the target)" in out
    assert "alt      32808 ft" in out and "speed    328.1 ft/s" in out
    assert " m/s" not in out and " kg" not in out
    assert main(["fly", "resilience", "--units", "imperial", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["touchdown_vertical_speed_mps"] == 42.0


def _summary() -> dict:
    return {"title": "t", "outcome": "crashed", "touchdown_utc": "2025-06-05T19:15:26.349",
            "planned_touchdown_utc": "2025-06-05T19:17:00.000", "touchdown_vertical_speed_mps": 42.0,
            "touchdown_horizontal_speed_mps": 15.0, "touchdown_lat_deg": 60.0, "touchdown_lon_deg": -4.0,
            "touchdown_miss_distance_m": 1000.0, "powered_descent_start_utc": "2025-06-05T19:05:30.000",
            "propellant_remaining_kg": 100.0,
            "events": [{"name": "pdi", "utc": "2025-06-05T19:05:30.000", "alt_m": 10_000.0, "speed_mps": 100.0}]}


def test_every_command_showing_numbers_takes_units():
    import argparse

    from lunarviz.cli import UNITS_COMMANDS, build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    with_units = {name for name, p in sub.choices.items() if "--units" in p._option_string_actions}
    assert with_units == set(UNITS_COMMANDS) == {"fly", "still", "render", "lookbook", "handout", "view", "serve"}
