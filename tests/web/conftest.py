"""A ``lunarviz serve`` started by the tests, and headless Chromium (Debian's, with its chromedriver)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: how long the server may take to fly the scene and build it (a cold cache on a loaded 2-core machine)
START_TIMEOUT_S = 180.0


class Served(str):
    """The class's URL of a server the tests started; ``.presenter`` is the presenter's link (with the key)."""

    presenter: str


def start_server(*args: str, timeout_s: float = START_TIMEOUT_S) -> tuple[subprocess.Popen, Served]:
    """``lunarviz serve ARGS --port 0`` in a subprocess; returns it and the URLs it printed."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DISPLAY", None)  # off-screen (EGL), as on a server without a display
    proc = subprocess.Popen([sys.executable, "-m", "lunarviz", "serve", *args, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + timeout_s
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"(http://127\.0\.0\.1:\d+/\?key=\S+)", line)
        if m:
            url = Served(m.group(1).split("?")[0])
            url.presenter = m.group(1)
            return proc, url
    stop_server(proc)
    raise AssertionError("lunarviz serve did not start:\n" + "".join(lines[-20:]))


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


@pytest.fixture(scope="session")
def served():
    """One server for the browser tests: Resilience, draft quality (faster start), at most 2 browsers."""
    proc, url = start_server("resilience", "--quality", "draft", "--max-clients", "2")
    yield url
    stop_server(proc)


def make_browser(tmp: Path, size=(1280, 900)):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              f"--window-size={size[0]},{size[1]}", f"--user-data-dir={tmp}"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


@pytest.fixture(scope="session")
def teacher(tmp_path_factory):
    """The presenter's browser, open through all the browser tests (it counts against the limit)."""
    b = make_browser(tmp_path_factory.mktemp("teacher"))
    yield b
    b.quit()


@pytest.fixture
def browsers(tmp_path):
    """A factory of headless Chromium browsers, all closed at the end of the test."""
    made = []

    def new():
        b = make_browser(tmp_path / f"profile{len(made)}")
        made.append(b)
        return b

    yield new
    for b in made:
        b.quit()


@pytest.fixture(scope="session")
def headless_ok():
    from lunarviz.render.offscreen import check_headless

    return check_headless()
