"""Lesson mode (no Qt): predict, observe, explain -- the stops of a ``[lesson]`` and what each shows.

A lesson (:class:`lunarviz.scenario.Lesson`) is a list of steps. The viewer
plays the flight to a step's moment, pauses and asks the step's question; when
the teacher goes on it *reveals* (plays on, switches the camera, flies a
what-if, shows the plots or switches to another scene), then plays on to the
next step's moment. The teacher can step back and forth.

:class:`LessonRun` is that state machine. Its positions are

* ``0``: the intro (title and intro text, paused before the first step),
* ``1``: the intro revealed (playing towards the first step),
* ``2 k + 2``: step ``k``'s question (paused at its moment),
* ``2 k + 3``: step ``k`` revealed.

:func:`stage_at` says what the viewer shows at a position as a frozen
:class:`Stage`: a pure function of the lesson and the position, so going back
restores exactly the earlier step's scene, what-if, camera and time, whatever
happened in between. Times stay time specs, resolved by the viewer on the
flight it shows (``lunarviz.app.window.resolve_time``).

>>> from lunarviz.scenario import Lesson, LessonStep
>>> run = LessonRun(Lesson("t", "", (LessonStep("touchdown-20s", "What next?"),)))
>>> run.stage.index, run.stage.revealed, run.stage.offset_s
(-1, False, -30.0)
>>> run.next() and run.next()
True
>>> run.stage.at, run.stage.playing
('touchdown-20s', False)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from .scenario import Lesson, LessonStep

#: without ``[lesson] start``, the lesson starts playing this long (simulated) before its first step, s
LEAD_S = 30.0
#: the camera a lesson opens on when its first step names none
DEFAULT_CAMERA = "chase"


@dataclass(frozen=True)
class Stage:
    """What the viewer shows at one position of a lesson."""

    #: the step (-1: the intro)
    index: int
    #: False: the question is shown, paused; True: the step's reveal is shown
    revealed: bool
    #: the scene file shown (None: the lesson's own scenario)
    scene: str | None
    #: the what-if flown beside it (None: none)
    whatif: Mapping[str, float] | None
    camera: str
    #: which flight the cameras frame: "flown" or "whatif"
    follow: str
    #: the time spec to seek to, plus ``offset_s`` seconds
    at: str
    offset_s: float
    playing: bool
    speed: float
    #: the next step's moment: reaching it while playing moves the lesson on (None: play to the end)
    until: str | None
    #: the telemetry plots are shown
    plot: bool


@dataclass(frozen=True)
class _Shown:
    scene: str | None = None
    whatif: Mapping[str, float] | None = None
    camera: str = DEFAULT_CAMERA
    follow: str = "flown"
    plot: bool = False


def _at_question(shown: _Shown, step: LessonStep) -> _Shown:
    return replace(shown, camera=step.camera) if step.camera else shown


def _revealed(shown: _Shown, step: LessonStep) -> _Shown:
    r = step.reveal
    if r == "camera":
        return replace(shown, camera=step.reveal_camera)
    if r == "whatif":
        return replace(shown, whatif=MappingProxyType(dict(step.whatif)), follow="whatif")
    if r == "plot":
        return replace(shown, plot=True)
    if r == "scene":
        return replace(shown, scene=step.scene, whatif=None, follow="flown")
    return shown


def positions(lesson: Lesson) -> int:
    """How many positions the lesson has (intro, intro revealed, then a question and a reveal per step)."""
    return 2 * len(lesson.steps) + 2


def stage_at(lesson: Lesson, pos: int) -> Stage:
    """What the viewer shows at position ``pos`` (see the module docstring)."""
    if not 0 <= pos < positions(lesson):
        raise IndexError(f"lesson position {pos}: expected 0..{positions(lesson) - 1}")
    steps = lesson.steps
    index, revealed = pos // 2 - 1, bool(pos % 2)
    first = steps[0]
    shown = _Shown(camera=first.camera or DEFAULT_CAMERA)
    for step in steps[:max(index, 0)]:
        shown = _revealed(_at_question(shown, step), step)
    until = steps[index + 1].at if index + 1 < len(steps) else None
    if index < 0:
        at, offset = (lesson.start, 0.0) if lesson.start else (first.at, -LEAD_S)
        return Stage(-1, revealed, None, None, shown.camera, "flown", at, offset, revealed, lesson.speed,
                     until, False)
    step = steps[index]
    shown = _at_question(shown, step)
    speed = lesson.speed
    at = step.at
    if revealed:
        shown = _revealed(shown, step)
        at = step.replay_from or step.at
        speed = step.speed or lesson.speed
    playing = revealed and step.reveal != "plot"
    return Stage(index, revealed, shown.scene, shown.whatif, shown.camera, shown.follow, at, 0.0, playing, speed,
                 until, shown.plot)


class LessonRun:
    """Where a lesson is: :meth:`next` and :meth:`back` move between its positions.

    Next goes one position on (question -> reveal -> next question); back always
    lands on a question: the current step's from its reveal, else the previous
    step's (the intro before the first).
    """

    def __init__(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self.pos = 0

    @property
    def stage(self) -> Stage:
        return stage_at(self.lesson, self.pos)

    @property
    def step(self) -> LessonStep | None:
        """The step shown (None at the intro)."""
        i = self.pos // 2 - 1
        return self.lesson.steps[i] if i >= 0 else None

    @property
    def number(self) -> int:
        """The step shown, counted from 1 (0 at the intro)."""
        return self.pos // 2

    @property
    def count(self) -> int:
        return len(self.lesson.steps)

    @property
    def at_end(self) -> bool:
        return self.pos == positions(self.lesson) - 1

    def next(self) -> bool:
        """One position on; False (and no move) at the last step's reveal."""
        if self.at_end:
            return False
        self.pos += 1
        return True

    def back(self) -> bool:
        """Back to a question (see the class docstring); False (and no move) at the intro."""
        if self.pos == 0:
            return False
        self.pos = self.pos - 1 if self.pos % 2 else self.pos - 2
        return True

    def go_to_step(self, number: int) -> None:
        """The question of step ``number`` (from 1; 0 = the intro)."""
        if not 0 <= number <= self.count:
            raise IndexError(f"lesson step {number}: expected 0..{self.count}")
        self.pos = 2 * number

    def reached(self) -> bool:
        """The playhead reached :attr:`Stage.until` while playing: on to the next step's question."""
        st = self.stage
        if not (st.playing and st.until is not None):
            return False
        return self.next()
