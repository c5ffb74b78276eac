"""Per-mission lander models (issue #15): each builds, has its public proportions and is chosen by the scenario."""

import numpy as np
import pytest

from lunarviz import scenario
from lunarviz.errors import ScenarioError
from lunarviz.render import resources

#: model -> (height m, footprint diameter m): the silhouettes' main proportions (assets/SOURCES.md)
SIZES = {"hakuto-r": (2.3, 2.5), "apollo-lm": (6.4, 9.6), "vikram": (2.3, 3.6), "blue-ghost": (2.1, 3.6),
         "beresheet": (1.5, 2.2), "slim": (2.8, 2.6), "nova-c": (4.4, 4.3), "chang-e-3": (3.1, 4.9)}


@pytest.mark.parametrize("model", scenario.LANDER_MODELS)
def test_each_model_builds_with_its_proportions(model):
    lm = resources.lander(model)
    v = lm.vertices
    assert v.shape[0] > 200 and lm.faces.max() < v.shape[0] and lm.colors.shape == (v.shape[0], 3)
    assert v[:, 2].min() == pytest.approx(0.0, abs=0.01)           # footpads on the z = 0 plane
    h, w = SIZES[model]
    assert lm.height_m == pytest.approx(h, rel=0.1)
    assert 2 * np.hypot(v[:, 0], v[:, 1]).max() == pytest.approx(w, rel=0.08)
    assert 0.0 < lm.nozzle_exit_m[2] < 0.3 * lm.height_m           # the engine exit low on the axis
    assert len({tuple(c) for c in lm.colors}) >= 4                 # gold, silver, solar, frame ...


def test_models_differ_and_the_scenario_chooses_one(tmp_path):
    heights = {m: resources.lander(m).height_m for m in scenario.LANDER_MODELS}
    assert len(set(np.round(list(heights.values()), 1))) >= 6
    assert resources.lander_for(scenario.load(scenario.resolve("apollo11"))) is resources.lander("apollo-lm")
    assert resources.lander_for(None) is resources.lander("hakuto-r")
    text = scenario.resolve("resilience").read_text().replace('model = "hakuto-r"', 'model = "eagle"')
    p = tmp_path / "x.toml"
    p.write_text(text)
    with pytest.raises(ScenarioError, match=r"x\.toml:\d+: \[vehicle\] model = 'eagle': expected one of 'hakuto-r'"):
        scenario.load(p)
