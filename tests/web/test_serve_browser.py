"""``lunarviz serve`` in real headless Chromium: the page, the 3D view, play, the shared session, the limit."""

from __future__ import annotations

import io
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from PIL import Image

WAIT_S = 60.0


def wait_for(fn, what: str, timeout_s: float | None = None):
    deadline = time.monotonic() + (WAIT_S if timeout_s is None else timeout_s)
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def open_page(browser, url: str):
    """Load the page and wait for the UTC label and a first frame of the 3D view."""
    from selenium.webdriver.common.by import By

    if browser.current_url != url:
        browser.get(url)
    wait_for(lambda: browser.find_elements(By.ID, "utc") and "UTC" in browser.find_element(By.ID, "utc").text,
             "the UTC label")
    wait_for(lambda: browser.execute_script(
        "const i = document.querySelector('#view img'); return i && i.complete && i.naturalWidth > 100"),
        "a frame in the 3D view")
    return browser


def utc(browser) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, "utc").text


def view_pixels(browser) -> np.ndarray:
    from selenium.webdriver.common.by import By

    png = browser.find_element(By.ID, "view").screenshot_as_png
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_page_loads_and_the_3d_view_is_not_blank(served, teacher):
    b = open_page(teacher, served.presenter)
    assert "Resilience" in b.page_source
    img = view_pixels(b)
    assert img.shape[0] > 200 and img.shape[1] > 400
    # the lit ground and lander, the HUD's white text, the black sky: real contrast, not one colour
    assert img.std() > 15.0 and img.max() > 200 and img.min() < 30
    assert b.find_element("id", "error").text == ""


def test_play_advances_the_utc_and_a_second_browser_sees_the_same_time(served, teacher, browsers):
    from selenium.webdriver.common.by import By

    open_page(teacher, served.presenter)
    pupil = open_page(browsers(), served)
    before = utc(teacher)
    # only the presenter drives: the pupil's controls are greyed out, and what its page sends anyway
    # (a click's trigger, a state change) changes nothing
    assert not pupil.find_element(By.ID, "play").is_enabled() and teacher.find_element(By.ID, "play").is_enabled()
    assert pupil.find_element(By.ID, "following").is_displayed()
    assert teacher.find_elements(By.ID, "following") == []
    pupil.execute_script("window.trame.state.set('camera', 'orbit'); window.trame.state.set('speed', 1000)")
    pupil.execute_script("window.trame.trigger('toggle')")
    time.sleep(2.0)
    assert utc(teacher) == before and teacher.find_element(By.ID, "play").text.lower() == "play"
    assert "orbit" not in teacher.find_element(By.ID, "camera").text
    wait_for(lambda: utc(pupil) == before, "the second browser to show the presenter's time")
    teacher.find_element(By.ID, "play").click()
    wait_for(lambda: utc(teacher) != before, "the UTC label to advance")
    wait_for(lambda: utc(pupil) != before, "the second browser to follow")
    teacher.find_element(By.ID, "play").click()  # pause
    wait_for(lambda: teacher.find_element(By.ID, "play").text.lower() == "play", "the pause")
    wait_for(lambda: utc(pupil) == utc(teacher), "both browsers to show one time")
    stopped = utc(teacher)
    assert stopped > before  # "YYYY-MM-DD HH:MM:SS UTC" labels sort as times
    time.sleep(1.0)
    assert utc(teacher) == utc(pupil) == stopped

    # --max-clients 2: the teacher and this pupil fill the class; a third browser is turned away
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(served, timeout=30)
    assert exc.value.code == 503
    body = exc.value.read().decode()
    exc.value.close()
    assert "full" in body and "--max-clients 2" in body and body.count("\n") == 1
