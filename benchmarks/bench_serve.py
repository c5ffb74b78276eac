"""Benchmark ``lunarviz serve``: frames per second delivered to 1 and to 5 headless Chromium browsers.

Usage::

    python benchmarks/bench_serve.py [--browsers 1 5] [--seconds 15] [--quality high]

Starts ``lunarviz serve resilience`` on a free port, opens N browsers (Debian's
chromium through chromedriver, 1280x900 windows), presses play in the first
(the presenter) and counts, in every browser, the frames of the 3D view that
arrived (each new image the page's 3D view shows) over ``--seconds``. Prints, per
N, the median frames/s a browser received and the lowest, and the load average
before and after. The browsers run on the same 2 cores as the server, so the
figures are a lower bound of what a classroom of separate machines would get.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))

COUNT_JS = """
const img = document.querySelector('#view img');
window.__frames = 0;
new MutationObserver(() => { window.__frames += 1; }).observe(img, {attributes: true, attributeFilter: ['src']});
"""


def set_playing(button, playing: bool, timeout_s: float = 120.0) -> None:
    """Press the presenter's play/pause button until the session plays (or is paused)."""
    want = "pause" if playing else "play"  # the label shows what a press would do
    deadline = time.monotonic() + timeout_s
    while button.text.strip().lower() != want:
        if time.monotonic() > deadline:
            raise AssertionError(f"the presenter's button never showed {want!r}")
        button.click()
        time.sleep(1.0)


def measure(url: str, n: int, seconds: float) -> list[float]:
    import test_serve_browser
    from conftest import make_browser
    from selenium.webdriver.common.by import By
    from test_serve_browser import open_page

    test_serve_browser.WAIT_S = 300.0  # five browsers and the server share two cores: pages load slowly

    with tempfile.TemporaryDirectory() as tmp:
        browsers = [make_browser(Path(tmp) / f"b{i}") for i in range(n)]
        try:
            for i, b in enumerate(browsers):
                open_page(b, url.presenter if i == 0 else url)  # the first is the presenter: it drives
            play = browsers[0].find_element(By.ID, "play")
            set_playing(play, True)  # the button toggles: a pause still on its way would undo a blind click
            time.sleep(2.0)  # let the stream settle
            for b in browsers:
                b.execute_script(COUNT_JS)
            t0 = time.monotonic()
            time.sleep(seconds)
            counts = [b.execute_script("return window.__frames") for b in browsers]
            dt = time.monotonic() - t0
            set_playing(play, False)
        finally:
            for b in browsers:
                b.quit()
    return [c / dt for c in counts]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--browsers", type=int, nargs="+", default=[1, 5])
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--quality", choices=("high", "draft"), default="high")
    args = ap.parse_args()
    from conftest import start_server, stop_server

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    proc, url = start_server("resilience", "--quality", args.quality, "--max-clients", str(max(args.browsers) + 1))
    try:
        for n in args.browsers:
            fps = measure(url, n, args.seconds)
            print(f"{n} browser(s), {args.quality}: median {statistics.median(fps):.1f} frames/s per browser, "
                  f"lowest {min(fps):.1f} (over {args.seconds:g} s; all: {', '.join(f'{f:.1f}' for f in fps)})")
    finally:
        stop_server(proc)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
