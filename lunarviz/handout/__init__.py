"""A printable classroom handout of a flight: ``lunarviz handout SCENE -o lesson.pdf``.

:func:`gather` collects what a handout says (:mod:`.content`: the mission, stills at the key
moments rendered with the still machinery, the plots of :mod:`.plots`, the timeline, the
what-if with a working rangefinder, the questions and the sources), :func:`write_pdf` lays it
out (:mod:`.pdf`, fpdf2: mission, key moments, timeline, plots, what-if, questions, sources)
and :func:`build_handout` does both and writes the file atomically.
Text is in the language in use (:mod:`lunarviz.i18n`), numbers in the units in use
(:mod:`lunarviz.units`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import LunarvizError
from ..i18n import _

#: the still size of a handout, pixels: sharp at half a page's width at ~150 dpi
STILL_SIZE = (960, 540)


@dataclass(frozen=True)
class HandoutSettings:
    """How a handout is made (``paper``: ``a4`` or ``letter``; ``still_size``: (width, height) px)."""

    paper: str = "a4"
    still_size: tuple[int, int] = STILL_SIZE
    quality: str = "high"


def check_pdf_path(path: str | os.PathLike) -> None:
    """A one-line error unless ``path`` names a ``.pdf`` file (checked before any work)."""
    if not str(path).lower().endswith(".pdf"):
        raise LunarvizError(f"{path}: a handout must be written to a .pdf file")


def gather(traj, settings: HandoutSettings, faces):
    """The :class:`~.content.Content` of ``traj``'s handout (renders the stills and plots)."""
    from PIL import Image

    from ..render.lookbook import render_frames
    from . import content as c
    from .plots import plot_png

    sc = traj.scenario
    ghost = c.whatif_flight(traj)
    shots = c.key_moments(traj)
    frames = render_frames(traj, shots, size=settings.still_size, quality=settings.quality, antialias=None)
    stills = [(Image.fromarray(f), c.still_caption(traj, s)) for f, s in zip(frames, shots, strict=True)]
    return c.Content(
        title=c.scene_text(sc.title if sc is not None else "") or "lunarviz",
        subtitle=c.subtitle(traj),
        mission=c.scene_text(sc.description if sc is not None else "") or _("This scenario has no description."),
        stills=stills, plot_png=plot_png(traj, ghost, faces), timeline=c.timeline(traj),
        whatif=c.whatif_texts(traj, ghost), questions=c.questions(traj, ghost), sources=c.sources(traj))


def write_pdf(content, path, settings: HandoutSettings, faces) -> None:
    """Lay ``content`` out on ``settings.paper`` and write it to ``path`` (a temporary name, renamed)."""
    from ..fileio import atomic_output
    from . import pdf as p

    footer = _("{title} · a lunarviz handout").format(title=content.title)
    doc = p.new_document(settings.paper, faces, footer=footer)
    p.title_block(doc, content.title, content.subtitle, _("A classroom handout: what happened, what the "
                                                          "lander believed, and what would have changed it."))
    p.heading(doc, _("The mission"))
    p.paragraph(doc, content.mission)
    p.heading(doc, _("Key moments"))
    p.stills(doc, content.stills)
    p.heading(doc, _("Timeline"), need_mm=p.TABLE_ROW_MM * (len(content.timeline) + 2))
    p.timeline(doc, content.timeline)
    p.heading(doc, _("True and believed: altitude and speed"), need_mm=p.plot_height(doc, content.plot_png) + 12)
    p.plot(doc, content.plot_png)
    p.heading(doc, _("What if the rangefinder had worked?"))
    p.paragraph(doc, _("As flown: {outcome}").format(outcome=content.whatif[0]))
    p.paragraph(doc, _("With a working rangefinder: {outcome}").format(outcome=content.whatif[1]))
    p.heading(doc, _("Questions"), need_mm=p.QUESTION_MM)
    for n, q in enumerate(content.questions, 1):
        p.question_block(doc, n, q)
    p.heading(doc, _("Sources"))
    p.bullet_list(doc, content.sources)
    with atomic_output(path) as tmp:
        doc.output(str(tmp))


def build_handout(traj, path: str | os.PathLike, settings: HandoutSettings = HandoutSettings()) -> None:
    """Render, lay out and write the handout of ``traj`` to the PDF ``path``."""
    from ..fileio import check_writable
    from ..i18n import language
    from .fonts import font_files

    check_pdf_path(path)
    check_writable(path)
    faces = font_files(language())
    write_pdf(gather(traj, settings, faces), path, settings, faces)
