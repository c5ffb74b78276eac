"""The Qt-free playback model: playhead = wall-clock time x speed."""

import math

import pytest

from lunarviz.app.playback import (
    MAX_SPEED,
    MIN_SPEED,
    SPEEDS,
    FakeClock,
    Playback,
    event_marks,
    format_speed,
)
from lunarviz.formatting import format_l_minus
from lunarviz.trajectory import Event

EXACT = 1e-9  # seconds; arithmetic on small floats


def make(speed=1.0, loop=False):
    clock = FakeClock(1000.0)
    return Playback(0.0, 3600.0, clock=clock, speed=speed, loop=loop), clock


@pytest.mark.parametrize("speed", SPEEDS)
def test_play_advances_by_wall_clock_times_speed(speed):
    pb, clock = make(speed)
    pb.play()
    # uneven "frame" intervals: the playhead depends only on elapsed wall time
    for dt in (0.016, 0.3, 0.001, 0.5):
        clock.advance(dt)
        pb.tick()
    elapsed = 0.016 + 0.3 + 0.001 + 0.5
    assert pb.et_s == pytest.approx(min(elapsed * speed, 3600.0), abs=EXACT)


def test_slow_frames_do_not_slow_playback():
    # one tick after 2 s gives the same playhead as 120 ticks 1/60 s apart
    a, ca = make(10.0)
    b, cb = make(10.0)
    a.play()
    b.play()
    ca.advance(2.0)
    a.tick()
    for _ in range(120):
        cb.advance(1 / 60)
        b.tick()
    assert a.et_s == pytest.approx(b.et_s, abs=1e-6) == pytest.approx(20.0, abs=1e-6)


def test_pause_freezes_and_resume_does_not_jump():
    pb, clock = make(5.0)
    pb.play()
    clock.advance(1.0)
    pb.pause()
    assert pb.et_s == pytest.approx(5.0)
    clock.advance(100.0)
    assert pb.tick() == pytest.approx(5.0)
    pb.play()
    clock.advance(1.0)
    assert pb.tick() == pytest.approx(10.0)


def test_speed_change_while_playing_keeps_playhead_continuous():
    pb, clock = make(1.0)
    pb.play()
    clock.advance(3.0)
    pb.set_speed(100.0)              # takes the 3 s at 1x first
    clock.advance(1.0)
    assert pb.tick() == pytest.approx(103.0)


def test_speed_is_clamped_and_steps_through_the_list():
    pb, _ = make()
    pb.set_speed(1e6)
    assert pb.speed == MAX_SPEED == 1000.0
    pb.set_speed(1e-6)
    assert pb.speed == MIN_SPEED == 0.1
    seen = [pb.speed]
    while pb.speed < MAX_SPEED:
        seen.append(pb.faster())
    assert tuple(seen) == SPEEDS
    assert 1.0 in SPEEDS  # real time
    assert pb.slower() == 500.0
    with pytest.raises(ValueError):
        pb.set_speed(0)
    with pytest.raises(ValueError):
        pb.set_speed(float("nan"))


def test_stops_at_end_and_play_restarts_from_start():
    pb, clock = make(1000.0)
    pb.play()
    clock.advance(10.0)
    assert pb.tick() == 3600.0 and not pb.playing and pb.at_end
    pb.play()
    assert pb.et_s == 0.0 and pb.playing


def test_loop_wraps():
    pb, clock = make(1000.0, loop=True)
    pb.play()
    clock.advance(4.0)
    assert pb.tick() == pytest.approx(400.0)
    assert pb.playing


def test_seek_step_and_frames_clamp():
    pb, _ = make(10.0)
    assert pb.seek(-5) == 0.0
    assert pb.step(10) == 10.0
    assert pb.step(-20) == 0.0
    assert pb.seek_fraction(0.5) == 1800.0
    pb.play()
    assert pb.step_frames(1) == pytest.approx(1800.0 + 10.0 / 30.0)
    assert not pb.playing  # frame stepping pauses
    assert pb.step_frames(-3) == pytest.approx(1800.0 - 2 * 10.0 / 30.0)
    assert pb.seek(1e9) == 3600.0


def test_seek_while_playing_continues_from_there():
    pb, clock = make(2.0)
    pb.play()
    clock.advance(1.0)
    pb.tick()
    pb.seek(1000.0)
    clock.advance(1.0)
    assert pb.tick() == pytest.approx(1002.0)


def test_bad_span():
    with pytest.raises(ValueError):
        Playback(10.0, 10.0)
    with pytest.raises(ValueError):
        Playback(0.0, math.inf)


def test_labels():
    assert format_l_minus(100.0, 3700.0) == "L-01:00:00"
    assert format_l_minus(3705.5, 3700.0) == "L+00:00:05"
    assert format_l_minus(0.0, math.nan) == ""
    assert format_speed(1.0) == "1x (real time)"
    assert format_speed(0.25) == "0.25x"
    assert format_speed(1000.0) == "1000x"
    import numpy as np
    z = np.zeros(3)
    marks = event_marks([Event("touchdown", 9.0, z, z), Event("lrf_first_valid", 5.0, z, z)],
                        touchdown_label="Contact lost")
    assert [(m.label, m.et_s) for m in marks] == [("Rangefinder first valid", 5.0), ("Contact lost", 9.0)]
