"""The what-if panel and the viewer's event list word a touchdown by the one Outcome (issue #9)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lunarviz.app.whatif_model import outcome_text
from lunarviz.app.window import _touchdown_label


def _touching_down_at(traj, vertical_mps):
    td = traj.event("touchdown")
    vel = -vertical_mps * td.pos_m / np.linalg.norm(td.pos_m)
    events = tuple(dataclasses.replace(e, vel_mps=vel) if e.name == "touchdown" else e for e in traj.events)
    return dataclasses.replace(traj, events=events)


@pytest.mark.parametrize("vz, verdict, label", [
    (0.5, "soft touchdown at 0.5 m/s", "Touchdown"),
    (4.0, "hard landing at 4.0 m/s", "Hard landing (4.0 m/s)"),   # fly --json says hard_landing too
    (45.0, "hard impact at 45.0 m/s", "Contact lost (45 m/s)"),
])
def test_words_follow_the_outcome(synthetic_traj, vz, verdict, label):
    traj = _touching_down_at(synthetic_traj, vz)
    assert outcome_text(traj).startswith(verdict)
    assert _touchdown_label(traj) == label
