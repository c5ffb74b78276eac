"""[render], [terrain] and [story.captions] are typed at load; errors name file:line, key, value, expectation."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunarviz import scenario, timespec
from lunarviz.cli import main
from lunarviz.errors import ScenarioError, TimeError

SCENES = Path(__file__).resolve().parents[2] / "scenes"
BASE = (SCENES / "resilience.toml").read_text()


def _load_err(tmp_path, text: str) -> str:
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(ScenarioError) as ei:
        scenario.load(p)
    msg = str(ei.value)
    assert "\n" not in msg
    return msg


def _line(text: str, needle: str, nth: int = 0) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), 1) if line.startswith(needle)]
    return hits[nth]


def test_render_table_is_typed_and_frozen():
    scn = scenario.load(SCENES / "resilience.toml")
    r = scn.render
    assert isinstance(r, scenario.RenderSettings)
    assert (r.camera, r.start, r.end, r.size) == ("scenario", "powered_descent-90s", "touchdown+12s", (1920, 1080))
    assert r.fps is None and r.codec is None
    assert [k.camera for k in r.keyframes] == ["orbit", "chase", "down", "chase"]
    assert [k.at for k in r.keyframes] == ["start", "powered_descent-60s", "terminal-20s", "touchdown-22s"]
    assert r.keyframes[0].transition_s == 4.0 and r.keyframes[1].transition_s == 12.0
    assert dict(r.keyframes[2].options) == {"fov_deg": 70.0}
    with pytest.raises(AttributeError):
        r.camera = "chase"  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.keyframes[2].options["fov_deg"] = 1.0  # type: ignore[index]


def test_terrain_table_is_typed_and_absent_means_sphere(tmp_path):
    scn = scenario.load(SCENES / "resilience.toml")
    assert isinstance(scn.terrain, scenario.TerrainConfig)
    assert (scn.terrain.kind, scn.terrain.seed, scn.terrain.relief_m) == ("procedural", 2025, 15.0)
    assert (scn.terrain.site_lat_deg, scn.terrain.site_lon_deg) == (scn.site.lat_deg, scn.site.lon_deg)
    start = BASE.index("[terrain]")
    end = BASE.index("\n\n", start)
    p = tmp_path / "bare.toml"
    p.write_text(BASE[:start] + BASE[end:])
    bare = scenario.load(p)
    assert bare.terrain.kind == "sphere" and bare.terrain.site_lat_deg == scn.site.lat_deg


KF_CAMERA = 'at = "terminal-20s"\ncamera = "down"'


@pytest.mark.parametrize("old,new,needle,nth,expect", [
    # a misspelt camera: the README's shape, with the line number
    (KF_CAMERA, 'at = "terminal-20s"\ncamera = "dwn"', 'camera = "dwn"', 0,
     "render.keyframes[2].camera: unknown camera 'dwn' (did you mean 'down'?); expected one of chase, orbit, "
     "site, earthrise, down"),
    # a misspelt event in a time spec
    (KF_CAMERA, 'at = "termnal-20s"\ncamera = "down"', 'at = "termnal', 0,
     "render.keyframes[2].at: time 'termnal-20s': not an ISO UTC time or an event name (did you mean 'terminal'?)"),
    ('at = "terminal-20s"', 'at = "terminal-20 fortnights"', 'at = "terminal-20 f', 0,
     "render.keyframes[2].at: time 'terminal-20 fortnights': not an ISO UTC time or an event name"),
    # an option out of its bounds, and an option the camera does not read
    ("fov_deg = 70", "fov_deg = 200", "fov_deg = 200", 0,
     "render.keyframes[2].fov_deg = 200: expected a number >= 1 and <= 150"),
    ("fov_deg = 70", "eye_height_m = 3", "eye_height_m = 3", 0,
     "render.keyframes[2].eye_height_m: not an option of camera 'down'; expected at, camera, transition_s, fov_deg"),
    ("fov_deg = 70", "zoom = 3", "zoom = 3", 0, "render.keyframes[2].zoom: unknown key"),
    ("transition_s = 12", "transition_s = -1", "transition_s = -1", 0,
     "render.keyframes[1].transition_s = -1: expected a number >= 0 and <= 3600"),
    # keys of [render] itself
    ('size = "1920x1080"', 'size = "1920x1080"\nframerate = 30', "framerate", 0,
     "[render] framerate: unknown key (allowed here: camera, codec, end, fps, keyframes, open_at, open_camera, "
     "size, speed, start)"),
    ('size = "1920x1080"', 'size = "1920x99999"', "size =", 0,
     "[render] size = '1920x99999': expected WIDTHxHEIGHT in pixels, each 16..8192"),
    ('size = "1920x1080"', 'codec = "vp9"', "codec", 0,
     "[render] codec = 'vp9': expected one of 'h264', 'prores', 'png'"),
    ('size = "1920x1080"', "fps = 0", "fps", 0, "[render] fps = 0: expected a number > 0 and <= 240"),
    ('size = "1920x1080"', "speed = 1e9", "speed", 0, "[render] speed = 1e9: expected a number >= 0.001 and <= 100000"),
    ('camera = "scenario"', 'camera = "chse"', 'camera = "chse"', 0, "[render] camera = 'chse': expected one of"),
    ('start = "powered_descent-90s"', 'start = "powered_descent-90"', "start =", 0, None),  # valid: seconds
    ('end = "touchdown+12s"', 'end = "touchdown+45d"', "end =", 0, "[render] end: time 'touchdown+45d'"),
    ('end = "touchdown+12s"', 'end = "touchdown+800h"', "end =", 0, "expected at most 2.592e+06 s (30 days)"),
    ('end = "touchdown+12s"', 'end = "2025-13-05T19:00:00"', "end =", 0, "month 13 is not 1..12"),
    # [story.captions]: event names are a known set
    ('touchdown = "Impact', 'touchdwn = "Impact', "touchdwn", 0,
     "[story.captions] touchdwn: unknown event (did you mean 'touchdown'?); expected one of start, earthrise"),
    ('touchdown = "Impact: the altitude estimate was corrected too late"', f'touchdown = "{"x" * 161}"',
     "touchdown = \"xxx", 0, "expected one line of at most 160 characters"),
    # [terrain] and [terrain.cliff] through the same validator, with lines
    ("relief_m = 15.0", "relief_m = 15.0\nbumpiness = 2", "bumpiness", 0, "[terrain] bumpiness: unknown key"),
    ("relief_m = 15.0", "relief_m = 15.0\n[terrain.cliff]\nwidth_m = 0", "width_m = 0", 0,
     "[terrain.cliff] width_m = 0: expected a number > 0 and <= 100000"),
    ("seed = 2025", "seed = 2.5", "seed = 2.5", 0, "[terrain] seed = 2.5: expected an integer from 0 to"),
])
def test_bad_tables_are_one_line_errors_with_file_line_key(tmp_path, old, new, needle, nth, expect):
    assert old in BASE
    text = BASE.replace(old, new, 1)
    if expect is None:
        p = tmp_path / "ok.toml"
        p.write_text(text)
        scenario.load(p)
        return
    msg = _load_err(tmp_path, text)
    assert msg.startswith(f"{tmp_path / 'bad.toml'}:{_line(text, needle, nth)}: "), msg
    assert expect in msg, msg


@pytest.mark.parametrize("old,new", [
    ('size = "1920x1080"', 'size = "1920x1080"\nframerate = 30'),    # unknown [render] key
    ('camera = "down"', 'camera = "chse"'),                          # misspelt camera
    ('at = "terminal-20s"', 'at = "tuchdown-20s"'),                   # bad time spec
    ("fov_deg = 70", "fov_deg = 0.5"),                                 # option out of bounds
])
def test_fly_rejects_a_bad_render_table_with_exit_2(tmp_path, capsys, old, new):
    assert old in BASE
    p = tmp_path / "bad.toml"
    p.write_text(BASE.replace(old, new, 1))
    assert main(["fly", str(p), "--json"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.count("\n") == 0 and "bad.toml:" in err and "render" in err and "Traceback" not in err
    assert captured.out == ""


def test_time_spec_syntax_is_defined_once_and_unresolved():
    ts = timespec.parse("pdi+1m30s")
    assert (ts.moment, ts.offset_s, ts.utc) == ("powered_descent", 90.0, None)
    assert timespec.parse("touchdown - 2min").offset_s == -120.0
    assert timespec.parse("2025-06-05T19:10:00Z+30s").utc == "2025-06-05T19:10:00"
    assert timespec.parse("planned_touchdown").moment == "planned"
    for bad in ("", "tuchdown", "touchdown+5 parsecs", "2025-02-30T00:00:00", "x" * 81):
        with pytest.raises(TimeError) as ei:
            timespec.parse(bad)
        assert "\n" not in str(ei.value)


def test_camera_names_are_the_renderers_presets():
    from lunarviz.app.playback import CAMERAS
    from lunarviz.render.camera import PRESET_NAMES, PRESETS

    assert PRESET_NAMES is scenario.CAMERA_NAMES and CAMERAS is scenario.CAMERA_NAMES
    assert tuple(PRESETS) == scenario.CAMERA_NAMES == tuple(scenario.CAMERA_OPTIONS)


_opt = st.sampled_from(["fov_deg", "distance_m", "elevation_deg", "azimuth_deg", "eye_height_m", "zoom"])
_val = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6), st.text(max_size=8),
                 st.booleans(), st.none())
_kf = st.dictionaries(st.one_of(st.sampled_from(["at", "camera", "transition_s"]), _opt),
                      st.one_of(_val, st.sampled_from(["chase", "down", "site", "touchdown-5s", "start"])),
                      max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["camera", "start", "end", "fps", "speed", "size", "codec", "keyframes", "x"]),
                       st.one_of(_val, st.lists(_kf, max_size=3)), max_size=5))
def test_any_render_table_is_typed_or_a_one_line_error(table):
    table = {k: v for k, v in table.items() if v is not None}
    try:
        r = scenario.render_settings(table, source="fuzz.toml")
    except ScenarioError as exc:
        msg = str(exc)
        assert msg.startswith("fuzz.toml: ") and "\n" not in msg
    else:
        for kf in r.keyframes:
            assert kf.camera in scenario.CAMERA_NAMES
            timespec.parse(kf.at)
            for name, value in kf.options.items():
                lo, hi = scenario.CAMERA_OPTIONS[kf.camera][name]
                assert lo <= value <= hi
