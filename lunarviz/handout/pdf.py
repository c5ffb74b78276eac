"""The handout's pages, laid out with fpdf2: real embedded fonts (Noto; CJK and Hebrew included),
text shaped with HarfBuzz (a Hebrew handout is laid out right to left: text aligned right, stills
and table columns from the right), A4 or US Letter.

Sections, in order: the mission, key moments (stills), the timeline, true vs believed (plots),
what if, questions (with lines to write on), sources.
"""

from __future__ import annotations

import io
import unicodedata

from ..i18n import _, is_rtl, language

#: paper name -> fpdf2 format
PAPERS = {"a4": "A4", "letter": "Letter"}
MARGIN_MM = 16.0
#: lines to write on under a question
ANSWER_LINES = 3
LINE_GAP_MM = 8.0
#: room a question with its lines takes at least (a heading keeps one under it)
QUESTION_MM = 14 + ANSWER_LINES * LINE_GAP_MM
#: height of a timeline row, mm
TABLE_ROW_MM = 4.6
INK = (25, 25, 30)
ACCENT = (31, 95, 191)
RULE = (170, 170, 178)


def _pdf_class():
    from fpdf import FPDF

    class HandoutPDF(FPDF):
        footer_text = ""

        def footer(self):
            self.set_y(-11)
            self.set_font(self.body_family, size=8)
            self.set_text_color(110, 110, 118)
            write(self, 0, 5, f"{self.footer_text}  ·  {self.page_no()}", align="C")

    return HandoutPDF


def new_document(paper: str, faces, footer: str):
    """An empty document on ``paper`` with the faces registered (the first is the body font)."""
    pdf = _pdf_class()(orientation="portrait", unit="mm", format=PAPERS[paper])
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    families = []
    for f in faces:
        kw = {"collection_font_number": f.index} if f.regular.suffix == ".ttc" else {}
        pdf.add_font(f.script, "", str(f.regular), **kw)
        pdf.add_font(f.script, "B", str(f.bold), **kw)
        families.append(f.script)
    pdf.body_family = families[0]
    pdf.set_fallback_fonts(families[1:])
    pdf.set_text_shaping(use_shaping_engine=True)
    pdf.footer_text = footer
    pdf.set_title(footer)
    pdf.set_lang(language())
    pdf.set_creator("lunarviz")
    pdf.add_page()
    return pdf


def _align() -> str:
    return "R" if is_rtl() else "L"


def _wrap() -> str:
    return "CHAR" if language() == "ja" else "WORD"  # Japanese has no spaces to break at


def direction(text: str) -> str:
    """``rtl`` for a text with a right-to-left letter (Hebrew), else ``ltr``.

    Set per text rather than once per document: in a Hebrew handout a number with its unit
    (``52.0 m/s``) or an untranslated line must stay left to right, and a Latin title holding
    Hebrew words reads right to left (fpdf2's own guess from the first letter breaks both)."""
    return "rtl" if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text) else "ltr"


def write(pdf, w: float, h: float, text: str, *, align: str | None = None, next_line: bool = True) -> None:
    """One paragraph (wrapped to ``w`` mm, 0: the text width) shaped in its own direction."""
    pdf.set_text_shaping(use_shaping_engine=True, direction=direction(text))
    kw = {"new_x": "LMARGIN", "new_y": "NEXT"} if next_line else {}
    pdf.multi_cell(w, h, text, align=align or _align(), wrapmode=_wrap(), **kw)


def heading(pdf, text: str, size: float = 13.0, need_mm: float = 30.0) -> None:
    """A section heading; on a new page when less than ``need_mm`` would be left under it."""
    if pdf.get_y() > pdf.h - MARGIN_MM - need_mm:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(pdf.body_family, "B", size)
    pdf.set_text_color(*ACCENT)
    write(pdf, 0, size * 0.5, text)
    pdf.set_text_color(*INK)
    pdf.ln(1)


def paragraph(pdf, text: str, size: float = 10.5, bold: bool = False) -> None:
    pdf.set_font(pdf.body_family, "B" if bold else "", size)
    pdf.set_text_color(*INK)
    write(pdf, 0, size * 0.48, text)


def title_block(pdf, title: str, *sublines: str) -> None:
    pdf.set_font(pdf.body_family, "B", 18)
    pdf.set_text_color(*INK)
    write(pdf, 0, 8.5, title)
    pdf.set_font(pdf.body_family, "", 10)
    pdf.set_text_color(90, 90, 100)
    for line in (t for t in sublines if t):
        write(pdf, 0, 5, line)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN_MM, pdf.get_y() + 2, pdf.w - MARGIN_MM, pdf.get_y() + 2)
    pdf.ln(4)


def stills(pdf, items) -> None:
    """The stills two to a row, each with its caption under it."""
    gap = 5.0
    w = (pdf.w - 2 * MARGIN_MM - gap) / 2
    for i in range(0, len(items), 2):
        row = items[i:i + 2]
        img_h = max(w * im.height / im.width for im, _c in row)
        if pdf.get_y() + img_h + 12 > pdf.h - MARGIN_MM:
            pdf.add_page()
        y = pdf.get_y()
        order = list(enumerate(row)) if not is_rtl() else [(len(row) - 1 - k, it) for k, it in enumerate(row)]
        for col, (im, caption) in order:
            x = MARGIN_MM + col * (w + gap)
            pdf.image(im, x=x, y=y, w=w)
            pdf.set_xy(x, y + w * im.height / im.width + 1)
            pdf.set_font(pdf.body_family, "", 8)
            write(pdf, w, 3.8, caption, next_line=False)
        pdf.set_xy(MARGIN_MM, y + img_h + 11)


def plot_height(pdf, png: bytes) -> float:
    """Height (mm) of the plot image at the page's text width."""
    from PIL import Image

    im = Image.open(io.BytesIO(png))
    return (pdf.w - 2 * MARGIN_MM) * im.height / im.width


def plot(pdf, png: bytes) -> None:
    from PIL import Image

    im = Image.open(io.BytesIO(png))
    w = pdf.w - 2 * MARGIN_MM
    h = plot_height(pdf, png)
    if pdf.get_y() + h > pdf.h - MARGIN_MM:
        pdf.add_page()
    pdf.image(im, x=MARGIN_MM, y=pdf.get_y(), w=w)
    pdf.set_y(pdf.get_y() + h + 2)


def timeline(pdf, rows) -> None:
    """The events as a table (UTC, L-minus, event, altitude, speed; from the right in Hebrew),
    one line a row, each cell shaped in its own direction, rules between the rows."""
    head = (_("UTC"), _("L-minus"), _("event"), _("altitude"), _("speed"))
    widths = [w * (pdf.w - 2 * MARGIN_MM) / 178.0 for w in (44, 24, 58, 26, 26)]
    body = [(x.utc, x.l_minus, x.event, x.altitude, x.speed) for x in rows]
    for k, cells in enumerate([head] + body):
        if pdf.get_y() + TABLE_ROW_MM > pdf.h - MARGIN_MM:
            pdf.add_page()
        # one weight for the whole table, the head told apart by its colour: fpdf2 (2.8.9) drew shaped
        # Hebrew in the regular rows with the bold face's glyph numbers after a bold head at the same size
        pdf.set_font(pdf.body_family, "", 8.5)
        pdf.set_text_color(*(ACCENT if k == 0 else INK))
        y, x = pdf.get_y(), MARGIN_MM
        pairs = list(zip(cells, widths, strict=True))
        for text, w in (reversed(pairs) if is_rtl() else pairs):
            pdf.set_text_shaping(use_shaping_engine=True, direction=direction(text))
            pdf.set_xy(x, y)
            pdf.cell(w, TABLE_ROW_MM + 0.6, text, align=_align())
            x += w
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2 if k else 0.4)
        pdf.line(MARGIN_MM, y + TABLE_ROW_MM + 0.6, pdf.w - MARGIN_MM, y + TABLE_ROW_MM + 0.6)
        pdf.set_xy(MARGIN_MM, y + TABLE_ROW_MM + 0.6)
    pdf.set_text_color(*INK)
    pdf.ln(2)


def question_block(pdf, n: int, q) -> None:
    """``n. prompt``, its choices (``( ) A``) and :data:`ANSWER_LINES` ruled lines."""
    need = QUESTION_MM + 5 * len(q.choices)
    if pdf.get_y() + need > pdf.h - MARGIN_MM:
        pdf.add_page()
    paragraph(pdf, f"{n}. {q.prompt}", bold=True)
    for c in q.choices:
        paragraph(pdf, f"    ( )  {c}", size=10)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.25)
    for _k in range(ANSWER_LINES):
        y = pdf.get_y() + LINE_GAP_MM
        pdf.line(MARGIN_MM, y, pdf.w - MARGIN_MM, y)
        pdf.set_y(y)
    pdf.ln(4)


def bullet_list(pdf, items, size: float = 8.5) -> None:
    for it in items:
        paragraph(pdf, f"• {it}", size=size)
