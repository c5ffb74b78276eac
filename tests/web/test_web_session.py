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


def test_a_session_plays_by_its_clock_jumps_and_refuses_bad_values(headless_ok):
    from lunarviz.app.playback import FakeClock
    from lunarviz.web.session import Session

    clock = FakeClock()
    s = Session("resilience", size=(160, 90), quality="draft", clock=clock)
    try:
        td = s.traj.event("touchdown").et_s
        assert s.playback.et_s == pytest.approx(td - 60.0)  # START_AT
        s.playback.play()
        clock.advance(2.0)
        assert s.frame() == pytest.approx(td - 60.0 + 2.0 * 10.0)  # 10x real time by the injected clock
        assert s.labels()["utc"].endswith("UTC") and s.labels()["playing"] is True
        assert s.jump("touchdown-5s") == pytest.approx(td - 5.0)
        with pytest.raises(LunarvizError, match="camera 'drone'"):
            s.set_camera("drone")
        with pytest.raises(LunarvizError, match="speed 3"):
            s.set_speed(3)
        assert [e["name"] for e in s.events()][-1] == "touchdown"
    finally:
        s.close()


def test_a_session_builds_tiles_in_the_background_and_says_when_it_is_done(headless_ok, monkeypatch):
    # the browser's server draws a paused session again when ready(): a tile must not hold up a frame
    from lunarviz.app.playback import FakeClock
    from lunarviz.render import detail
    from lunarviz.web.session import Session

    monkeypatch.setattr(detail, "TILE_PX", 64)
    monkeypatch.setattr(detail, "TILE_GRID", 8)
    s = Session("resilience", size=(160, 90), quality="draft", clock=FakeClock())
    try:
        s.jump("powered_descent+60s")
        s.set_camera("down")
        s.frame()
        tiles = s.handles.data["tiles"]
        assert tiles["job"] is not None and not tiles["built"]  # on its way; the frame was not held up
        for _ in range(3 * detail.TILES_MAX):
            if tiles["job"] is None:
                break
            tiles["job"][0].join(timeout=60)
            assert s.ready()  # done: the next frame takes it in (and starts the next)
            s.frame()
        assert tiles["job"] is None and not s.ready() and len(tiles["built"]) >= 2
        s.set_camera("chase")
        s.frame()
        assert not s.ready()
    finally:
        s.close()
