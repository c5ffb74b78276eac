"""``lunarviz handout`` (issue #13): a printable PDF, checked by its extracted text (``pdftotext``)
and its pages rendered to PNG (``pdftoppm``): sections, mission text, events, questions, stills,
A4 and Letter, imperial units, and a Japanese handout with its CJK font embedded."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

import lunarviz
from lunarviz.cli import main
from lunarviz.handout import HandoutSettings, build_handout, content

#: small stills keep a handout build to seconds on a 2-core software-rendered machine
SMALL = "320x180"
SECTIONS = ("The mission", "Key moments", "True and believed: altitude and speed", "Timeline",
            "What if the rangefinder had worked?", "Questions", "Sources")


def _text(pdf) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return out


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _page_png(pdf, tmp_path, page: int = 1, dpi: int = 60) -> np.ndarray:
    stem = tmp_path / f"page{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True)
    return np.asarray(Image.open(f"{stem}.png").convert("RGB"))


def _page_size_pt(pdf) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    return float(m.group(1)), float(m.group(2))


@pytest.fixture(scope="module")
def resilience_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout") / "lesson.pdf"
    assert main(["handout", "resilience", "-o", str(out), "--still-size", SMALL, "--quality", "draft",
                 "--lang", "en"]) == 0
    return out


def test_handout_sections_mission_events_and_questions(resilience_pdf):
    text = _flat(_text(resilience_pdf))
    for s in SECTIONS:
        assert s in text, s
    sc = lunarviz.load("resilience")
    assert _flat(sc.description)[:80] in text                    # the mission in one paragraph
    for name in ("Deorbit burn", "Powered descent", "Terminal phase", "Rangefinder first valid",
                 "Touchdown / contact lost"):
        assert name in text, name
    assert "L-00:01:" in text and "UTC" in text                  # events with UTC and L-minus
    for step in sc.lesson.steps:                                  # the scene's lesson gives the questions
        assert _flat(step.prompt)[:60] in text, step.prompt
    assert "soft touchdown" in text and "hard impact" in text    # the what-if beside the flight as flown
    assert "livestream" in text and "facts.md" in text           # sources
    assert "m/s" in text and "ft/s" not in text                  # metric by default
    assert _page_size_pt(resilience_pdf) == pytest.approx((595.28, 841.89), abs=0.5)  # A4


def test_first_page_is_not_blank_and_shows_the_stills(resilience_pdf, tmp_path):
    img = _page_png(resilience_pdf, tmp_path).astype(float)
    h, w = img.shape[:2]
    grey = img.mean(axis=2)
    assert (grey > 245).mean() > 0.4                             # a white printed page...
    # ...with photographs on it: rows where most of the text width is dark or mid-grey (sky, Moon)
    ink_rows = ((grey < 200).mean(axis=1) > 0.5)
    assert ink_rows.sum() > 0.15 * h                             # at least two rows of stills
    # the stills are real renders (lunar grey, a lit HUD), not empty frames
    assert np.std(grey[ink_rows]) > 20


def test_letter_and_imperial(tmp_path):
    out = tmp_path / "letter.pdf"
    assert main(["handout", "resilience", "-o", str(out), "--still-size", SMALL, "--quality", "draft",
                 "--paper", "letter", "--units", "imperial", "--lang", "en"]) == 0
    assert _page_size_pt(out) == pytest.approx((612.0, 792.0), abs=0.5)
    text = _flat(_text(out))
    assert "ft/s" in text and "mph" in text and " ft " in text
    # the sources quote their own units and the lesson's questions are its author's words
    shown = text[text.index("Key moments"):text.index("Questions")]
    assert not re.search(r"\d m/s|\d km/h|\d kg", shown)        # no metric number outside the quotes


def test_a_scene_without_a_lesson_gets_questions_derived_from_its_flight(tmp_path):
    sc = dataclasses.replace(lunarviz.load("resilience"), lesson=None)
    out = tmp_path / "derived.pdf"
    build_handout(lunarviz.fly(sc), out, HandoutSettings(still_size=(320, 180), quality="draft"))
    text = _flat(_text(out))
    assert "What will happen if it trusts its belief?" in text and "Questions" in text


def test_japanese_handout_embeds_cjk_and_extracts(tmp_path):
    from lunarviz.i18n import set_language

    sc = lunarviz.load("resilience")
    ja = "着陸船は高度3 kmにいると思っていた。本当はもっと低かった。"
    traj = lunarviz.fly(dataclasses.replace(sc, description=ja))
    out = tmp_path / "ja.pdf"
    set_language("ja")
    try:
        build_handout(traj, out, HandoutSettings(still_size=(320, 180), quality="draft"))
    finally:
        set_language("en")
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    assert "NotoSansCJK" in fonts
    text = _text(out).replace("\n", "")
    assert "着陸船は高度3" in text and "本当はもっと低かった" in text
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text)


def test_lesson_steps_become_the_questions():
    steps = [SimpleNamespace(prompt="The lander thinks it is 3 km up. What will happen?",
                             choices=["it lands", "it crashes"]),
             SimpleNamespace(prompt="Why?", choices=None)]
    traj = SimpleNamespace(scenario=SimpleNamespace(lesson=SimpleNamespace(steps=steps)))
    qs = content.questions(traj, None)
    assert [q.prompt for q in qs] == ["The lander thinks it is 3 km up. What will happen?", "Why?"]
    assert qs[0].choices == ("it lands", "it crashes") and qs[1].choices == ()


def test_bad_output_and_paper_are_one_line_errors(capsys, tmp_path):
    assert main(["handout", "resilience", "-o", str(tmp_path / "lesson.txt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "a handout must be written to a .pdf file" in err[0]
    assert main(["handout", "resilience", "-o", str(tmp_path / "no-such-folder" / "x.pdf")]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["handout", "resilience", "-o", "x.pdf", "--paper", "a3"])
    assert e.value.code == 2
    assert not list(tmp_path.iterdir())                          # nothing half-written left behind
