"""Time specifications (--start/--end/--at, keyframes) and HUD text."""

from __future__ import annotations

import numpy as np
import pytest

from lunarviz.errors import ScenarioError, TimeError
from lunarviz.render import hud
from lunarviz.render.camera import camera_path
from lunarviz.render.timespec import parse_time_spec
from lunarviz.scenario import render_settings
from lunarviz.timebase import utc_to_et


def test_event_names_and_offsets(demo_traj):
    td = demo_traj.event("touchdown").et_s
    assert parse_time_spec("touchdown", demo_traj) == td
    assert parse_time_spec("touchdown-120s", demo_traj) == pytest.approx(td - 120)
    assert parse_time_spec("touchdown - 2min", demo_traj) == pytest.approx(td - 120)
    assert parse_time_spec("touchdown-1m30s", demo_traj) == pytest.approx(td - 90)
    assert parse_time_spec("pdi+30s", demo_traj) == pytest.approx(demo_traj.event("powered_descent").et_s + 30)
    assert parse_time_spec("start", demo_traj) == demo_traj.start_et_s
    assert parse_time_spec("end", demo_traj) == demo_traj.end_et_s


def test_iso_utc(demo_traj):
    et = utc_to_et("2025-06-05T19:10:00")
    assert parse_time_spec("2025-06-05T19:10:00", demo_traj) == pytest.approx(et, abs=1e-6)
    assert parse_time_spec("2025-06-05T19:10:00Z", demo_traj) == pytest.approx(et, abs=1e-6)
    assert parse_time_spec("2025-06-05T19:10:00+30s", demo_traj) == pytest.approx(et + 30, abs=1e-6)


@pytest.mark.parametrize("spec,match", [
    ("landed_softly", "not an ISO UTC time or an event"),
    ("touchdown+3h", "outside the flight"),
    ("touchdown-3 parsecs", "not an ISO UTC time or an event"),
    ("", "empty"),
])
def test_bad_specs_are_one_line_errors(demo_traj, spec, match):
    with pytest.raises(TimeError, match=match) as ei:
        parse_time_spec(spec, demo_traj)
    assert "\n" not in str(ei.value)


def test_earthrise_keyword_uses_event_search(demo_traj):
    # the synthetic descent keeps the Earth above the horizon: no Earthrise, a clear error
    with pytest.raises(TimeError, match="does not rise"):
        parse_time_spec("earthrise", demo_traj)


def path_from_render_table(table, traj, source):
    return camera_path(render_settings(table, source=source), traj, source=source)


def test_keyframes_validation_names_file_and_key(demo_traj):
    ok = {"keyframes": [{"at": "start", "camera": "orbit"},
                        {"at": "touchdown-60s", "camera": "chase", "transition_s": 5, "fov_deg": 50}]}
    path = path_from_render_table(ok, demo_traj, source="x.toml")
    assert [k.camera for k in path.keyframes] == ["orbit", "chase"]
    bad = {"keyframes": [{"at": "start", "camera": "orbit"}, {"at": "touchdown", "camera": "chse"}]}
    with pytest.raises(ScenarioError, match=r"x\.toml: render\.keyframes\[1\]\.camera: unknown camera 'chse'"):
        path_from_render_table(bad, demo_traj, source="x.toml")
    with pytest.raises(ScenarioError, match=r"render\.keyframes\[0\]\.at: .*not an ISO"):
        path_from_render_table({"keyframes": [{"at": "tuchdown", "camera": "orbit"}]}, demo_traj, source="x.toml")
    with pytest.raises(ScenarioError, match=r"render\.keyframes\[0\]\.zoom: unknown key"):
        path_from_render_table({"keyframes": [{"at": "start", "camera": "orbit", "zoom": 2}]}, demo_traj,
                               source="x.toml")


def test_keyframe_times_this_flight_lacks_fail_when_resolved(demo_traj):
    # 'deorbit' is a valid event name (checked at load) but the synthetic descent has none
    with pytest.raises(ScenarioError, match=r"^x\.toml: render\.keyframes\[0\]\.at: .*not an event of this flight"):
        path_from_render_table({"keyframes": [{"at": "deorbit", "camera": "orbit"}]}, demo_traj, source="x.toml")


def test_keyframe_times_resolved_late_still_name_their_line(demo_traj):
    import tomllib

    text = ('[render]\n\n[[render.keyframes]]\nat = "start"\ncamera = "orbit"\n\n'
            '[[render.keyframes]]\ncamera = "chase"\nat = "deorbit"\n')
    r = render_settings(tomllib.loads(text)["render"], source="x.toml", text=text)
    assert [k.line for k in r.keyframes] == [4, 9]
    with pytest.raises(ScenarioError, match=r"^x\.toml:9: render\.keyframes\[1\]\.at: .*not an event of this flight"):
        camera_path(r, demo_traj, source="x.toml")


def test_keyframed_camera_blends_smoothly(demo_traj):
    from lunarviz import ephemeris
    from lunarviz.render.camera import CameraContext

    kf = {"keyframes": [{"at": "touchdown-200s", "camera": "orbit"},
                        {"at": "touchdown-100s", "camera": "chase", "transition_s": 20}]}
    path = path_from_render_table(kf, demo_traj, source="x.toml")
    td = demo_traj.event("touchdown").et_s

    def eye(et):
        return path.spec(CameraContext(demo_traj, et, demo_traj.at(et), ephemeris.position_m("EARTH", et),
                                       np.array([1.0, 0, 0]), demo_traj.pos_m[-1])).position_m

    # from before the keyframe to after its 20 s transition, every 0.5 s
    pts = np.array([eye(td - 102 + 0.5 * i) for i in range(53)])
    steps = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    # continuous (eases in from the orbit view, ends at the chase camera) and no jump anywhere:
    # consecutive steps change gradually
    assert steps[:3].max() < 1.0 and steps[-3:].max() < 100.0
    assert np.abs(np.diff(steps)).max() < 0.35 * steps.max()


def test_hud_lines(demo_traj):
    st = demo_traj.at(demo_traj.planned_touchdown_et_s - 105.4)
    lines = hud.format_lines(demo_traj, st, st.et_s)
    # the viewer's playback bar shows the same L-minus (lunarviz.formatting; tests/app/test_app_clock_text.py)
    assert lines["top_left"].endswith("UTC   L-00:01:46")
    assert "km/h" in lines["bottom_left"] and "PROP" in lines["bottom_left"]
    assert "EST" not in lines["bottom_left"]  # the synthetic lander knows its altitude
