"""The one Outcome: thresholds, vectorised classification, and every reader agreeing (issue #9)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lunarviz.physics.outcome import (
    MAX_HARD_HORIZONTAL_MPS,
    MAX_HARD_VERTICAL_MPS,
    MAX_LANDED_HORIZONTAL_MPS,
    MAX_LANDED_VERTICAL_MPS,
    Outcome,
    classify,
    touchdown_outcome,
    touchdown_speeds,
)


def test_thresholds_are_ordered():
    assert 0 < MAX_LANDED_VERTICAL_MPS < MAX_HARD_VERTICAL_MPS
    assert 0 < MAX_LANDED_HORIZONTAL_MPS < MAX_HARD_HORIZONTAL_MPS


@pytest.mark.parametrize("vz, vh, expected", [
    (0.45, 0.13, Outcome.LANDED),
    (-3.0, 2.0, Outcome.LANDED),            # the envelope is inclusive; sign of vz ignored
    (3.01, 0.0, Outcome.HARD_LANDING),
    (4.0, 0.5, Outcome.HARD_LANDING),       # the 4 m/s touchdown
    (1.0, 2.5, Outcome.HARD_LANDING),
    (5.0, 3.0, Outcome.HARD_LANDING),
    (5.01, 0.0, Outcome.CRASHED),
    (1.0, 3.01, Outcome.CRASHED),
    (45.6, 15.4, Outcome.CRASHED),
])
def test_classify(vz, vh, expected):
    assert classify(vz, vh) is expected


def test_classify_arrays_match_scalars_and_nan_is_no_touchdown():
    vz = np.array([0.5, 4.0, 9.0, np.nan])
    vh = np.array([0.1, 0.1, 0.1, np.nan])
    out = classify(vz, vh)
    assert list(out) == ["landed", "hard_landing", "crashed", "no_touchdown"]
    assert [classify(a, b).value for a, b in zip(vz, vh, strict=True)] == list(out)
    assert Outcome("hard_landing") is Outcome.HARD_LANDING and str(Outcome.CRASHED) == "crashed"


def test_touchdown_speeds():
    pos = np.array([[0.0, 0.0, 1737400.0], [1737400.0, 0.0, 0.0]])
    vel = np.array([[3.0, 4.0, -2.0], [-1.0, 0.0, 0.5]])
    vz, vh = touchdown_speeds(pos, vel)
    np.testing.assert_allclose(vz, [-2.0, -1.0])
    np.testing.assert_allclose(vh, [5.0, 0.5])


def _with_touchdown(traj, vertical_mps, horizontal_mps):
    td = traj.event("touchdown")
    up = td.pos_m / np.linalg.norm(td.pos_m)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    vel = -vertical_mps * up + horizontal_mps * east
    events = tuple(dataclasses.replace(e, vel_mps=vel) if e.name == "touchdown" else e for e in traj.events)
    return dataclasses.replace(traj, events=events)


@pytest.mark.parametrize("vz, word, hud_label", [
    (0.5, "landed", "LANDED"),
    (4.0, "hard_landing", "HARD LANDING"),
    (20.0, "crashed", "IMPACT AT 20 m/s"),
])
def test_every_reader_tells_the_same_story(vz, word, hud_label):
    from lunarviz.physics.summary import outcome_summary
    from lunarviz.render import hud
    from lunarviz.render.synthetic import demo_trajectory

    traj = _with_touchdown(demo_trajectory(), vz, 0.2)
    assert touchdown_outcome(traj).value == word
    assert outcome_summary(traj)["outcome"] == word        # fly --json
    assert hud.phase_label("landed", traj) == hud_label      # the HUD


def test_no_touchdown():
    from lunarviz.render.synthetic import demo_trajectory

    traj = demo_trajectory()
    traj = dataclasses.replace(traj, events=tuple(e for e in traj.events if e.name != "touchdown"))
    assert touchdown_outcome(traj) is Outcome.NO_TOUCHDOWN
