"""The HUD fits and scales: legible at 640x360, proportionally larger at 3840x2160."""

from __future__ import annotations

import pytest

from lunarviz.render import scene
from lunarviz.render.offscreen import grab, make_plotter


def _boxes(h):
    out = {}
    for name, actor in h.hud.actors.items():
        if not actor.GetVisibility() or not actor.GetInput().strip():
            continue
        bb = [0.0] * 4
        actor.GetBoundingBox(h.renderer, bb)  # relative to the actor's anchor position
        x, y = actor.GetPosition()
        out[name] = [bb[0] + x, bb[1] + x, bb[2] + y, bb[3] + y]  # xmin, xmax, ymin, ymax in pixels
    return out


def _overlap(a, b):
    return not (a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2])


@pytest.mark.parametrize("size", [(640, 360), (3840, 2160)])
def test_hud_inside_frame_without_overlaps(headless, demo_traj, size):
    p = make_plotter(size)
    try:
        h = scene.build(p, demo_traj, quality="draft", hud=True)
        scene.update(h, demo_traj.planned_touchdown_et_s - 30, "orbit")
        grab(p)
        boxes = _boxes(h)
        assert {"title", "top_left", "top_right", "bottom_left"} <= set(boxes)
        w, hgt = size
        for name, (x0, x1, y0, y1) in boxes.items():
            assert 0 <= x0 and x1 <= w and 0 <= y0 and y1 <= hgt, name
        names = sorted(boxes)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                assert not _overlap(boxes[a], boxes[b]), (a, b)
        # telemetry text at least ~9 px at 640x360 and proportionally larger at 4K
        fs = h.hud.actors["bottom_left"].GetTextProperty().GetFontSize()
        assert fs >= 9
        assert abs(fs - round(0.027 * hgt)) <= 1
    finally:
        p.close()


def test_caption_clear_of_telemetry_at_640x360(headless, demo_traj):
    # a long caption at the smallest supported size must not run into the telemetry block
    caps = {"terminal": "Terminal descent -- the lander believes it is ~3 km up (a long caption)"}
    p = make_plotter((640, 360))
    try:
        h = scene.build(p, demo_traj, quality="draft", hud=True, captions=caps)
        scene.update(h, demo_traj.event("terminal").et_s + 1.0, "orbit")
        grab(p)
        boxes = _boxes(h)
        assert "caption" in boxes
        assert not _overlap(boxes["caption"], boxes["bottom_left"])
        assert boxes["caption"][1] <= 640
    finally:
        p.close()


@pytest.mark.parametrize("size", [(1920, 1080), (640, 360)])
def test_captions_are_large_enough_for_the_back_row_and_wrap_rather_than_shrink(headless, demo_traj, size):
    # issue #13: >= 3.5 % of the frame height (a classroom projector at 1080p); a caption too long
    # for the frame at that size breaks into lines, each inside the frame, clear of the telemetry
    from lunarviz.render.hud import CAPTION_MIN_FRAC

    caps = {"terminal": "Terminal descent: the lander believes it is about three kilometres up, but it is "
                        "really only a few hundred metres above the ground and falling fast (long)"}
    w, hgt = size
    p = make_plotter(size)
    try:
        h = scene.build(p, demo_traj, quality="draft", hud=True, captions=caps)
        scene.update(h, demo_traj.event("terminal").et_s + 1.0, "orbit")
        grab(p)
        cap = h.hud.actors["caption"]
        assert cap.GetTextProperty().GetFontSize() >= CAPTION_MIN_FRAC * hgt
        assert cap.GetInput().count("\n") >= 1            # wrapped onto two or more lines
        boxes = _boxes(h)
        x0, x1, y0, y1 = boxes["caption"]
        assert 0 <= x0 and x1 <= w and y1 <= hgt
        assert (y1 - y0) >= 2 * CAPTION_MIN_FRAC * hgt   # two lines, each at least that tall
        assert not _overlap(boxes["caption"], boxes["bottom_left"])
    finally:
        p.close()


LONG_TITLE = 'HAKUTO-R Mission 2 "Resilience" -- as flown (a long museum title)'
LONG_CAPS = {"terminal": "Terminal descent -- the lander believes it is ~3 km up (a long caption)"}


@pytest.mark.parametrize("size", [(700, 750), (640, 360), (480, 640)])
def test_long_title_never_meets_phase_label(headless, demo_traj, size):
    # the desktop viewer can be narrow and tall: title, UTC line, phase label, telemetry and caption
    # must stay apart and inside the frame whatever the aspect ratio
    p = make_plotter(size)
    try:
        h = scene.build(p, demo_traj, quality="draft", hud=True, title=LONG_TITLE, captions=LONG_CAPS)
        for et in (demo_traj.event("terminal").et_s + 1.0, float(demo_traj.et_s[-1])):
            scene.update(h, et, "orbit")
            h.hud.actors["top_right"].SetInput("TERMINAL DESCENT")  # the widest label
            h.hud._size = None
            h.hud.layout()
            grab(p)
            boxes = _boxes(h)
            assert {"title", "top_left", "top_right", "bottom_left"} <= set(boxes)
            w, hgt = size
            for name, (x0, x1, y0, y1) in boxes.items():
                assert -1 <= x0 and x1 <= w + 1 and -1 <= y0 and y1 <= hgt + 1, (name, boxes[name], size)
            names = sorted(boxes)
            for i, a in enumerate(names):
                for b in names[i + 1:]:
                    assert not _overlap(boxes[a], boxes[b]), (a, b, boxes[a], boxes[b], size)
            # the title keeps a legible size: at least 9 px, and at least ~2 % of the 16:9 height
            assert h.hud.actors["title"].GetTextProperty().GetFontSize() >= max(9, 0.02 * min(hgt, w * 9 / 16))
    finally:
        p.close()


def test_no_negative_zero_speeds_at_rest(demo_traj):
    import dataclasses

    from lunarviz.render.hud import format_lines

    st = demo_traj.at(float(demo_traj.et_s[-1]))
    up = st.pos_m / (st.pos_m @ st.pos_m) ** 0.5
    st = dataclasses.replace(st, vel_mps=-0.01 * up)  # settling: a hair below zero
    text = format_lines(demo_traj, st, st.et_s)["bottom_left"]
    assert "-0.0" not in text and "+0.0 m/s" in text


def test_hud_slips_phase_altitude_and_captions(demo_traj):
    """The impact frame shows the surface phase; no "ALT -0.0 m"; a caption replaced within
    CAPTION_READ_S stays on screen above the new one."""
    import dataclasses

    from lunarviz.render import hud

    td = demo_traj.event("touchdown")
    st = dataclasses.replace(demo_traj.at(td.et_s), phase_name="terminal", alt_m=-0.004)
    lines = hud.format_lines(demo_traj, st, td.et_s)
    assert lines["top_right"] == hud.phase_label("surface", demo_traj)
    assert "-0.0" not in lines["bottom_left"] and "ALT       0.0 m" in lines["bottom_left"]
    # two captioned events 0.9 s apart (terminal descent, then the late laser lock)
    t0 = td.et_s - 20.0
    evs = (dataclasses.replace(td, name="terminal", et_s=t0), dataclasses.replace(td, name="lrf_first_valid",
                                                                                  et_s=t0 + 0.9))
    traj = dataclasses.replace(demo_traj, events=evs)
    caps = {"terminal": "A", "lrf_first_valid": "B"}
    assert hud.caption_at(traj, caps, t0 + 0.5) == "A"
    assert hud.caption_at(traj, caps, t0 + 1.0) == "A\nB"
    assert hud.caption_at(traj, caps, t0 + hud.CAPTION_READ_S + 0.1) == "B"


def test_the_frame_at_an_event_shows_the_phase_that_begins_there():
    # the flight's sample at an event still carries the phase before it: at the powered-descent
    # instant the HUD read ORBIT beside the caption "Braking with the main engine"
    from lunarviz.commands.flights import load_flight
    from lunarviz.render import hud
    from lunarviz.scenario import resolve

    traj = load_flight(resolve("beresheet"))
    pd = traj.event("powered_descent")
    assert traj.at(pd.et_s).phase_name == "orbit"  # the sample at the event: still the orbit
    assert hud.phase_at(traj, traj.at(pd.et_s), pd.et_s) == "braking"
    assert hud.phase_at(traj, traj.at(pd.et_s - 1.0), pd.et_s - 1.0) == "orbit"
