"""[lesson] and [[lesson.steps]] are typed at load; a bad step names file:line, key, value and what was expected."""

from pathlib import Path

import pytest

from lunarviz import scenario
from lunarviz.errors import ScenarioError

SCENES = Path(__file__).resolve().parents[2] / "scenes"
#: a shipped scene without a lesson
BASE = (SCENES / "resilience-nominal.toml").read_text()
STEP = '[[lesson.steps]]\nat = "touchdown-20s"\nprompt = "What next?"\n'


def _load(tmp_path, extra: str) -> scenario.Scenario:
    p = tmp_path / "lesson.toml"
    p.write_text(BASE + "\n" + extra)
    return scenario.load(p)


def _err(tmp_path, extra: str) -> tuple[str, int]:
    """The message of loading BASE + ``extra``, and the line where ``extra`` starts."""
    with pytest.raises(ScenarioError) as ei:
        _load(tmp_path, extra)
    msg = str(ei.value)
    assert "\n" not in msg and msg.startswith(str(tmp_path / "lesson.toml") + ":")
    return msg, len(BASE.splitlines()) + 2


def test_the_shipped_lessons_load_typed():
    for name, n in (("resilience", 4), ("hakuto-r-m1", 4), ("apollo11", 4)):
        lesson = scenario.load(SCENES / f"{name}.toml").lesson
        assert isinstance(lesson, scenario.Lesson) and len(lesson.steps) == n
        assert all(s.prompt and s.line for s in lesson.steps)
    res = scenario.load(SCENES / "resilience.toml").lesson
    assert [s.reveal for s in res.steps] == ["resume", "plot", "resume", "whatif"]
    assert dict(res.steps[3].whatif) == {"lrf_valid_below_m": 3000.0}
    assert res.steps[0].answer == 0 and res.steps[1].choices[res.steps[1].answer] == "About 3 km"
    m1 = scenario.load(SCENES / "hakuto-r-m1.toml").lesson
    assert [s.reveal for s in m1.steps] == ["resume", "camera", "resume", "plot"]
    assert m1.steps[1].reveal_camera == "down"
    apollo = scenario.load(SCENES / "apollo11.toml").lesson
    assert [Path(s.scene).stem for s in apollo.steps[1:]] == ["chang-e-3", "chandrayaan-3", "apollo11"]
    assert scenario.load(SCENES / "resilience-nominal.toml").lesson is None


def test_a_minimal_lesson_takes_the_defaults(tmp_path):
    lesson = _load(tmp_path, STEP).lesson
    step = lesson.steps[0]
    assert lesson.title == scenario.load(SCENES / "resilience-nominal.toml").title and lesson.speed == 10.0
    assert (step.reveal, step.choices, step.answer, step.camera, step.replay_from) == ("resume", (), None, None, None)
    assert step.line == len(BASE.splitlines()) + 3
    # the answer may be given as the text of a choice
    text = STEP + 'choices = ["up", "down"]\nanswer = "down"\n'
    assert _load(tmp_path, text).lesson.steps[0].answer == 1


@pytest.mark.parametrize("body, key, expected", [
    ('at = "touchdwn-20s"\nprompt = "x"\n', "at", "did you mean 'touchdown'"),
    ('at = "touchdown"\n', None, "missing required key 'prompt'"),
    ('at = "touchdown"\nprompt = ""\n', "prompt", "expected a question of 1 to 600 characters"),
    ('at = "touchdown"\nprompt = "x"\nreveal = "explode"\n', "reveal", "expected one of 'resume', 'camera'"),
    ('at = "touchdown"\nprompt = "x"\ncamera = "chse"\n', "camera", "did you mean 'chase'"),
    ('at = "touchdown"\nprompt = "x"\nchoices = ["only one"]\n', "choices", "expected a list of 2 to 6"),
    ('at = "touchdown"\nprompt = "x"\nchoices = ["a", "b"]\nanswer = 3\n', "answer",
     "expected a choice number from 1 to 2 (1 = the first)"),
    ('at = "touchdown"\nprompt = "x"\nanswer = 1\n', "answer", "expected no answer without choices"),
    ('at = "touchdown"\nprompt = "x"\nreveal = "whatif"\n', "reveal", "expected whatif = ... beside it"),
    ('at = "touchdown"\nprompt = "x"\nreveal = "whatif"\nwhatif = { lrf_valid_below_m = -5.0 }\n',
     "whatif.lrf_valid_below_m", "expected a number >= 1 and <= 100000"),
    ('at = "touchdown"\nprompt = "x"\nreveal = "whatif"\nwhatif = { fuel = 5.0 }\n', "whatif.fuel",
     "unknown what-if change; expected one of lrf_valid_below_m"),
    ('at = "touchdown"\nprompt = "x"\nwhatif = { propellant_kg = 5.0 }\n', "whatif",
     'expected no whatif unless reveal = "whatif"'),
    ('at = "touchdown"\nprompt = "x"\nreveal = "scene"\nscene = "apolo11"\n', "scene",
     "expected a shipped scene (apollo11,"),
    ('at = "touchdown"\nprompt = "x"\nreveal = "camera"\n', "reveal", "expected reveal_camera = ... beside it"),
    ('at = "touchdown"\nprompt = "x"\nspeed = 0.0\n', "speed", "expected a number >= 0.1 and <= 1000"),
    ('at = "touchdown"\nprompt = "x"\nreplay_from = "whenever"\n', "replay_from", "not an ISO UTC time"),
    ('at = "touchdown"\nprompt = "x"\nqestion = "y"\n', "qestion", "unknown key (allowed here:"),
])
def test_a_bad_step_names_line_key_and_what_was_expected(tmp_path, body, key, expected):
    msg, line = _err(tmp_path, "[[lesson.steps]]\n" + body)
    where = f"lesson.steps[0].{key}" if key else "lesson.steps[0]"
    assert where in msg, msg
    assert expected in msg, msg
    # the line: of the key when the file has it on a line of its own, else of the step's header
    bad_line = int(msg.split(":")[1])
    assert line <= bad_line <= line + body.count("\n"), msg


def test_the_lesson_table_itself_is_checked(tmp_path):
    msg, line = _err(tmp_path, "[lesson]\ntitle = \"t\"\n")
    assert f":{line}: " in msg and "a lesson needs at least one [[lesson.steps]]" in msg
    msg, line = _err(tmp_path, "[lesson]\nintro = 3\n" + STEP)
    assert f":{line + 1}: [lesson] intro = 3: expected a string" in msg
    msg, _ = _err(tmp_path, "[lesson]\nsped = 3\n" + STEP)
    assert "[lesson] sped: unknown key (allowed here:" in msg and "speed" in msg
    msg, _ = _err(tmp_path, "[lesson]\nsteps = 3\n")
    assert "expected an array of tables [[lesson.steps]]" in msg

