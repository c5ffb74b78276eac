"""What the page may ask for: shipped scenes by name only, known cameras and speeds."""

from __future__ import annotations

import pytest

from lunarviz.errors import LunarvizError
from lunarviz.web.session import check_shipped


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/hostname", "scenes/resilience.toml", "resilience.toml"])
def test_the_page_cannot_name_a_file(name):
    with pytest.raises(LunarvizError, match="only the shipped scenes") as exc:
        check_shipped(name)
    assert "\n" not in str(exc.value)


def test_shipped_names_pass():
    assert check_shipped("resilience") == "resilience"


def test_serve_rejects_bad_options_in_one_line(capsys):
    from lunarviz.cli import main

    assert main(["serve", "resilience", "--max-clients", "0"]) == 2
    assert main(["serve", "nosuchscene"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "--max-clients 0" in err[0] and "nosuchscene" in err[1]


def test_show_falls_back_to_a_still_without_a_widget_backend(headless_ok):
    """Outside a kernel (here: pytest) lunarviz.show gives a PIL image of the same view."""
    import numpy as np

    import lunarviz
    from lunarviz.web.notebook import widget_backend_available

    assert not widget_backend_available()
    img = lunarviz.show("resilience", camera="chase", at="touchdown-20s", size=(320, 180))
    arr = np.asarray(img)
    assert arr.shape == (180, 320, 3) and arr.std() > 10.0
    with pytest.raises(LunarvizError, match="backend 'vr'"):
        lunarviz.show(lunarviz.fly("resilience"), backend="vr")
