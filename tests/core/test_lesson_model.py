"""The lesson state machine (no Qt, no flight): positions, what each shows, back restores the earlier state."""

from types import MappingProxyType

import pytest

from lunarviz import lesson as lesson_mod
from lunarviz import scenario
from lunarviz.lesson import LEAD_S, LessonRun, positions, stage_at
from lunarviz.scenario import Lesson, LessonStep


def _lesson(**kw) -> Lesson:
    steps = (
        LessonStep("powered_descent-20s", "how?", camera="orbit", speed=50.0),
        LessonStep("pitch_up", "how high?", reveal="plot"),
        LessonStep("terminal", "what now?", reveal="camera", reveal_camera="down"),
        LessonStep("touchdown+4s", "what if?", reveal="whatif", replay_from="pitch_up-10s",
                   whatif=MappingProxyType({"lrf_valid_below_m": 3000.0})),
        LessonStep("touchdown", "elsewhere?", reveal="scene", scene="scenes/apollo11.toml", replay_from="terminal"),
        LessonStep("touchdown+2s", "and now?", camera="site"),
    )
    return Lesson("t", "intro", steps, **kw)


def test_positions_run_intro_question_reveal_in_order():
    les = _lesson()
    assert positions(les) == 14
    run = LessonRun(les)
    seen = []
    while True:
        st = run.stage
        seen.append((st.index, st.revealed))
        if not run.next():
            break
    assert seen == [(i // 2 - 1, bool(i % 2)) for i in range(14)]
    assert run.at_end and run.number == 6 and run.count == 6
    with pytest.raises(IndexError):
        stage_at(les, 14)


def test_intro_then_play_to_the_first_step():
    run = LessonRun(_lesson())
    st = run.stage
    assert (st.index, st.playing, st.at, st.offset_s, st.camera) == (-1, False, "powered_descent-20s", -LEAD_S, "orbit")
    run.next()
    st = run.stage
    assert st.playing and st.until == "powered_descent-20s" and st.speed == 10.0
    # reaching the first step's moment while playing pauses on its question
    assert run.reached() and run.stage.index == 0 and not run.stage.playing and not run.reached()
    # a lesson with a start plays from there
    assert stage_at(_lesson(start="start+5s"), 0).at == "start+5s" and stage_at(_lesson(start="start"), 0).offset_s == 0


def test_each_reveal_shows_what_it_says():
    les = _lesson()
    q0, r0 = stage_at(les, 2), stage_at(les, 3)
    assert (q0.at, q0.playing, r0.playing, r0.speed, r0.until) == ("powered_descent-20s", False, True, 50.0, "pitch_up")
    r1 = stage_at(les, 5)
    assert r1.plot and not r1.playing                      # a plot: paused, read the plot
    assert stage_at(les, 6).plot                           # and it stays shown
    r2 = stage_at(les, 7)
    assert (stage_at(les, 6).camera, r2.camera, r2.playing) == ("orbit", "down", True)
    r3 = stage_at(les, 9)
    assert dict(r3.whatif) == {"lrf_valid_below_m": 3000.0} and r3.follow == "whatif"
    assert (r3.at, r3.until) == ("pitch_up-10s", "touchdown")
    assert stage_at(les, 8).whatif is None                 # the question comes before the what-if is flown
    r4 = stage_at(les, 11)
    assert r4.scene == "scenes/apollo11.toml" and r4.whatif is None and r4.follow == "flown" and r4.at == "terminal"
    q5, r5 = stage_at(les, 12), stage_at(les, 13)
    assert q5.scene == r4.scene and q5.camera == "site" and r5.until is None and r5.playing  # the last plays to the end


def test_back_lands_on_a_question_with_that_steps_state():
    les = _lesson()
    run = LessonRun(les)
    for _ in range(12):
        run.next()
    assert run.stage.index == 5 and run.stage.scene is not None
    run.back()
    st = run.stage
    assert (st.index, st.revealed) == (4, False) and st.scene is None and st.whatif is not None  # before the switch
    run.next()
    assert run.stage.revealed and run.stage.scene is not None
    run.back()                                             # from a reveal: its own question
    assert (run.stage.index, run.stage.revealed) == (4, False)
    run.back()
    assert (run.stage.index, run.stage.whatif, run.stage.at) == (3, None, "touchdown+4s")
    while run.back():
        pass
    assert run.pos == 0 and not run.back()
    run.go_to_step(3)
    assert run.stage.index == 2 and run.step is les.steps[2]
    with pytest.raises(IndexError):
        run.go_to_step(7)


def test_stages_are_a_function_of_the_position_only():
    les = _lesson()
    a, b = LessonRun(les), LessonRun(les)
    for _ in range(9):
        a.next()
    for _ in range(3):
        a.back()
    b.go_to_step(a.number)
    assert a.stage == b.stage


def test_the_shipped_lessons_run_through():
    for name in ("resilience", "hakuto-r-m1", "apollo11"):
        les = scenario.load(scenario.resolve(name)).lesson
        stages = [stage_at(les, p) for p in range(positions(les))]
        assert [s.index for s in stages[2::2]] == list(range(len(les.steps)))
        assert all(s.camera in scenario.CAMERA_NAMES for s in stages)
        assert stages[-1].until is None and lesson_mod.DEFAULT_CAMERA in scenario.CAMERA_NAMES
