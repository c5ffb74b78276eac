"""Scenario files: the shipped ones load; errors name file, line and key (never a traceback)."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunarviz import scenario
from lunarviz.errors import ScenarioError

SCENES = Path(__file__).resolve().parents[2] / "scenes"
SHIPPED = sorted(SCENES.glob("*.toml"))
BASE = (SCENES / "resilience.toml").read_text()


def test_shipped_scenes_load_and_cite_facts():
    names = {p.stem for p in SHIPPED}
    assert {"resilience", "resilience-nominal", "hakuto-r-m1", "apollo11", "beresheet", "blue-ghost-m1",
            "chandrayaan-3"} <= names
    for p in SHIPPED:
        scn = scenario.load(p)
        assert scn.title and -90 <= scn.site_lat_deg <= 90
        # every numeric assignment carries a FACTS citation or "# assumed"
        for i, line in enumerate(p.read_text().splitlines(), 1):
            if re.match(r"^\s*[a-z_]+\s*=\s*-?[0-9]", line):
                assert "# FACTS" in line or "# assumed" in line, f"{p.name}:{i}: {line}"


def test_scenario_is_frozen():
    scn = scenario.load(SCENES / "resilience.toml")
    with pytest.raises(AttributeError):
        scn.vehicle.dry_mass_kg = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        scn.captions["x"] = "y"  # type: ignore[index]


def _err(tmp_path, text: str) -> str:
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(ScenarioError) as ei:
        scenario.load(p)
    msg = str(ei.value)
    assert "\n" not in msg and "bad.toml" in msg
    return msg


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(needle))


@pytest.mark.parametrize("old,new,key,expect", [
    ("dry_mass_kg = 340.0", "dry_mass_kg = -340.0", "dry_mass_kg", ">= 1 and <= 1e6"),
    ("dry_mass_kg = 340.0", 'dry_mass_kg = "heavy"', "dry_mass_kg", "a number"),
    ("throttle_min = 0.1", "throttle_min = 1.0\nthrottle_minimum = 2", "throttle_minimum", "unknown key"),
    ("lat_deg = 60.5", "lat_deg = 95.0", "lat_deg", "<= 90"),
    ("throttle_max = 1.0", "throttle_max = 0.05", "throttle_min", "<= throttle_max"),
    ('epoch_utc = "2025-06-05T16:05:00"', 'epoch_utc = "yesterday"', "epoch_utc", "UTC time"),
    ("enabled = true", "enabled = 1", "enabled", "true or false"),
])
def test_semantic_errors_name_file_line_key(tmp_path, old, new, key, expect):
    assert old in BASE
    text = BASE.replace(old, new, 1)
    msg = _err(tmp_path, text)
    assert key in msg and expect in msg
    line = _line_of(text, new.splitlines()[-1] if key == "throttle_minimum" else new.split("\n")[0])
    if key == "throttle_min":
        line = _line_of(text, "throttle_min ")
    assert f"bad.toml:{line}:" in msg


def test_missing_required_key_and_table(tmp_path):
    msg = _err(tmp_path, BASE.replace("isp_s = 315.0", "", 1))
    assert "isp_s" in msg and "missing" in msg and "[vehicle]" in msg
    no_site = re.sub(r"\[site\].*?\n\n", "", BASE, flags=re.S)
    assert "missing required table [site]" in _err(tmp_path, no_site)


def test_syntax_error_names_line(tmp_path):
    text = BASE.replace("dry_mass_kg = 340.0", "dry_mass_kg = = 340.0", 1)
    msg = _err(tmp_path, text)
    assert f"bad.toml:{_line_of(text, 'dry_mass_kg')}:" in msg and "TOML" in msg


def test_times_must_be_in_order(tmp_path):
    text = BASE.replace('end_utc = "2025-06-05T19:14:35"', 'end_utc = "2025-06-05T19:00:00"', 1)
    msg = _err(tmp_path, text)
    assert "end_utc" in msg and "after" in msg


def test_missing_file_and_not_utf8(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        scenario.load(tmp_path / "nope.toml")
    p = tmp_path / "bin.toml"
    p.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ScenarioError, match="UTF-8"):
        scenario.load(p)


# ------------------------------------------------------------------ hypothesis
_LINES = BASE.splitlines()
_values = st.one_of(
    st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: repr(f).replace("inf", "inf").replace("nan", "nan")),
    st.text(max_size=12).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
    st.sampled_from(["true", "false", "[]", "[1, 2]", "{}", "{a = 1}", "1979-05-27T07:32:00Z",
                     '"2025-13-45T99:00:00"', "[[1]]", '""', "-0.0", "1e400"]),
)


@st.composite
def mutated(draw):
    lines = list(_LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["value", "delete", "dup", "junk", "key"]))
        line = lines[i]
        if kind == "value" and "=" in line and not line.lstrip().startswith("#"):
            key = line.split("=", 1)[0]
            lines[i] = f"{key}= {draw(_values)}"
        elif kind == "delete":
            del lines[i]
        elif kind == "dup":
            lines.insert(i, line)
        elif kind == "junk":
            lines.insert(i, draw(st.text(max_size=30)))
        else:
            lines.insert(i, f"{draw(st.from_regex(r'[a-z_]{1,10}', fullmatch=True))} = {draw(_values)}")
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_malformed_files_never_traceback(text):
    try:
        scn = scenario.loads(text, "fuzz.toml")
    except ScenarioError as exc:
        msg = str(exc)
        assert msg.startswith("fuzz.toml") and "\n" not in msg
    else:
        assert isinstance(scn, scenario.Scenario)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_traceback(text):
    try:
        scenario.loads(text, "rand.toml")
    except ScenarioError as exc:
        assert str(exc).startswith("rand.toml")


def test_physically_impossible_start_is_a_scenario_error(tmp_path):
    from lunarviz import physics

    text = BASE.replace('epoch_utc = "2025-06-05T16:05:00"', 'epoch_utc = "2025-05-01T16:05:00"', 1)
    p = tmp_path / "far.toml"
    p.write_text(text)
    with pytest.raises(ScenarioError, match="days before the powered descent"):
        physics.fly(scenario.load(p))


def test_terrain_table_is_validated_at_load_with_line(tmp_path):
    text = BASE.replace("relief_m = 15.0", "relief_m = -15.0", 1)
    msg = _err(tmp_path, text)
    assert f"bad.toml:{_line_of(text, 'relief_m')}:" in msg and "relief_m" in msg


def test_story_rest_table_is_read_and_validated(tmp_path):
    slim = scenario.load(SCENES / "slim.toml")
    assert slim.rest == scenario.RestAttitude(tilt_deg=90.0, azimuth_deg=None, after_s=0.5, duration_s=2.0)
    assert scenario.load(SCENES / "resilience.toml").rest is None  # a crash: the wreck, no rest table
    anchor = "[story.captions]"
    assert anchor in BASE
    for table, key, expect in [("tilt_deg = 0.0", "tilt_deg", "> 0"),
                               ("tilt_deg = 30.0\nduration_s = 0", "duration_s", "> 0"),
                               ("tilt_deg = 30.0\nazimuth = 10", "azimuth", "unknown key"),
                               ("after_s = 1.0", "tilt_deg", "")]:
        text = BASE.replace(anchor, f"[story.rest]\n{table}\n\n{anchor}", 1)
        msg = _err(tmp_path, text)
        assert "story.rest" in msg and key in msg and expect in msg
