"""Telemetry overlay (HUD) drawn with VTK text actors; shared by video, stills and the viewer.

Layout (all sizes proportional to the window height, so the same overlay is
legible at 640x360 and crisp at 3840x2160):

* top left: title, UTC, ``L-HH:MM:SS`` to the planned touchdown (:mod:`lunarviz.formatting`, as the viewer's bar);
* top right: flight phase;
* bottom left: altitude (true, and what the lander believed in fault
  scenarios), vertical and horizontal speed in m/s and km/h (ft, ft/s and mph with imperial
  units: :mod:`lunarviz.units`), propellant,
  throttle, laser-rangefinder status;
* bottom right of centre: the scenario's caption for the latest event (for ~10 s);
* above the telemetry: published values (the scenario's ``[[record]]``) beside the simulated
  ones, for :data:`lunarviz.record.HUD_SECONDS` after their moment (:func:`lunarviz.record.hud_text`).

:func:`format_lines` builds the text without VTK, so it is unit-testable.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import record, units
from ..formatting import format_l_minus, format_utc
from ..i18n import N_, _, display_text, font_file, is_rtl
from ..physics.outcome import Outcome, touchdown_outcome
from ..trajectory import State, Trajectory

#: a caption's type size is at least this share of the (16:9-limited) frame height: readable from the
#: back of a classroom at 1080p on a projector; a caption too wide at this size wraps, it never shrinks
CAPTION_MIN_FRAC = 0.035
#: seconds a caption stays on screen after its event
CAPTION_SECONDS = 10.0
#: a caption stays at least this long (s) even when a newer one appears
CAPTION_READ_S = 5.0
#: the estimate is shown when it ever differs from the truth by more than this (m) and 10 %
EST_SHOWN_ABOVE_M = 50.0

_PHASE_LABELS = {
    "coast": N_("COAST"), "orbit": N_("ORBIT"), "deorbit": N_("DEORBIT BURN"),
    "descent_coast": N_("DESCENT COAST"), "braking": N_("BRAKING"), "pitch_up": N_("PITCH-UP"),
    "approach": N_("APPROACH"), "terminal": N_("TERMINAL DESCENT"), "landed": N_("LANDED"), "crashed": N_("IMPACT"),
    "impact": N_("IMPACT"), "hover": N_("HOVER"), "freefall": N_("FREE FALL"), "surface": N_("LANDED"),
}


def _fmt_alt(m: float) -> str:
    """An altitude in the HUD's column: the number in 8 characters, the unit padded
    (:func:`lunarviz.units.altitude`)."""
    return units.altitude(m, width=8, missing="   ---")


def show_estimate(traj: Trajectory) -> bool:
    """True for fault scenarios: the lander's altitude estimate was ever far from the truth."""
    d = np.abs(np.asarray(traj.est_alt_m) - np.asarray(traj.alt_m))
    ok = np.isfinite(d)
    if not ok.any():
        return False
    rel = d[ok] / np.maximum(np.abs(np.asarray(traj.alt_m)[ok]), 1.0)
    return bool(np.any((d[ok] > EST_SHOWN_ABOVE_M) & (rel > 0.1)))


def phase_label(name: str, traj: Trajectory | None = None) -> str:
    """Upper-case label of a phase; ``surface`` after a crash reads ``IMPACT AT ...`` (see :class:`Outcome`)."""
    if name in ("surface", "landed") and traj is not None:
        outcome = touchdown_outcome(traj)
        if outcome is Outcome.CRASHED:
            return _("IMPACT AT {speed}").format(speed=units.fmt(traj.event("touchdown").speed_mps, "speed", ".0f"))
        if outcome is Outcome.HARD_LANDING:
            return _("HARD LANDING")
    return _(_PHASE_LABELS[name]) if name in _PHASE_LABELS else name.replace("_", " ").upper()


def phase_at(traj: Trajectory, st: State, et_s: float) -> str:
    """The phase name to show at ``et_s``: ``surface`` from the touchdown instant on, and at any
    other event the phase that begins there.

    The flight's sample at an event still carries the phase flown before it: the contact sample
    its descent phase (``terminal``, ``braking``), the powered-descent sample ``orbit`` (the engine
    lights in the step after it). A frame at the event shows what happens from then on.
    """
    td = traj.event("touchdown")
    if td is not None and et_s >= td.et_s:
        return "surface"
    t = traj.et_s
    k = int(np.searchsorted(t, et_s, side="left"))
    if k + 1 < len(t) and abs(float(t[k]) - et_s) < 1e-6 and any(abs(ev.et_s - et_s) < 1e-6 for ev in traj.events):
        return traj.phase_names[int(traj.phase[k + 1])]
    return st.phase_name


def format_lines(traj: Trajectory, st: State, et_s: float, *, with_estimate: bool | None = None) -> dict[str, str]:
    """The HUD's text blocks (``top_left``, ``top_right``, ``bottom_left``) at one instant."""
    if with_estimate is None:
        with_estimate = show_estimate(traj)
    lm = format_l_minus(et_s, traj.planned_touchdown_et_s)
    top_left = format_utc(et_s) + (f"   {lm}" if lm else "")
    vs, hs = st.vertical_speed_mps, st.horizontal_speed_mps
    # no "-0.0 m/s" at rest: speeds that round to zero are shown as zero
    vs = 0.0 if abs(vs) < 0.05 else vs
    hs = 0.0 if abs(hs) < 0.05 else hs
    rows = [_("ALT  {alt}").format(alt=_fmt_alt(st.alt_m))]
    if with_estimate:
        rows.append(_("EST  {alt}  (lander's belief)").format(alt=_fmt_alt(st.est_alt_m)))
    rows += [
        _("V/S  {vs} {road}").format(vs=units.fmt(vs, "speed", "+8.1f"), road=units.fmt(vs, "speed_road", "+7.0f")),
        _("H/S  {hs} {road}").format(hs=units.fmt(hs, "speed", "8.1f"), road=units.fmt(hs, "speed_road", "7.0f")),
        _("PROP {prop:7.0f} %   THR {thr:4.0f} %").format(prop=100 * st.propellant_fraction, thr=100 * st.throttle),
        _("LRF  {state}").format(state=_lrf_text(traj, st, et_s)),
    ]
    eng = engine_off_text(traj, et_s)
    if eng:
        rows.append(eng)
    phase = phase_label(phase_at(traj, st, et_s), traj)
    return {"top_left": top_left, "top_right": phase, "bottom_left": "\n".join(rows)}


def _lrf_text(traj: Trajectory, st: State, et_s: float) -> str:
    rej = traj.event("lrf_rejected")
    if rej is not None and et_s >= rej.et_s and not st.lrf_valid:
        return _("REJECTED (range jump)")
    return _("VALID") if st.lrf_valid else _("NO LOCK")


def engine_off_text(traj: Trajectory, et_s: float) -> str:
    """``ENG  OFF: IMU RESET  12/58 s`` while an injected IMU reset holds the main engine off,
    ``ENG  NOZZLE LOST -50 % 10 deg`` after a ``[faults.engine_out]``, else ''."""
    lost = traj.event("engine_out")
    eo = traj.scenario.engine_out if traj.scenario is not None else None
    if lost is not None and eo is not None and et_s >= lost.et_s:
        return _("ENG  NOZZLE LOST {loss:+.0f} %, {tilt:.0f} deg OFF AXIS").format(loss=-100 * eo.thrust_loss_frac,
                                                                                  tilt=eo.tilt_deg)
    off = traj.event("imu_reset")
    if off is None or et_s < off.et_s:
        return ""
    back = traj.event("engine_restart")
    end = back.et_s if back is not None else traj.end_et_s
    if et_s >= end:
        return ""
    dur = (traj.scenario.imu_reset.engine_off_s if traj.scenario is not None and traj.scenario.imu_reset
           else end - off.et_s)
    return _("ENG  OFF: IMU RESET {t:4.0f}/{dur:.0f} s").format(t=et_s - off.et_s, dur=dur)


def caption_at(traj: Trajectory, captions: Mapping[str, str], et_s: float) -> str:
    """The caption of the latest event within the last :data:`CAPTION_SECONDS`, or '' (as written in
    ``captions``: :class:`Hud` passes them translated).

    A caption that a newer one would replace before it has been up :data:`CAPTION_READ_S`
    stays, one line above the newer one (terminal descent and the late laser lock
    come 0.9 s apart), so every caption can be read.
    """
    shown = [ev for ev in traj.events if ev.name in captions and ev.et_s <= et_s < ev.et_s + CAPTION_SECONDS]
    if not shown:
        return ""
    lines = [str(captions[shown[-1].name])]
    if len(shown) > 1 and et_s < shown[-2].et_s + CAPTION_READ_S:
        lines.insert(0, str(captions[shown[-2].name]))
    return "\n".join(lines)


def use_language_font(prop, bold: bool = False) -> None:
    """Write with the language's font file where VTK's built-in fonts lack its letters (Japanese, Hebrew)."""
    path = font_file(bold=bold)
    if path is not None:
        from .vtkclasses import vtk

        prop.SetFontFamily(vtk.VTK_FONT_FILE)
        prop.SetFontFile(str(path))


class Hud:
    """VTK text actors on the plotter's main renderer; :meth:`update` per frame, :meth:`layout` on resize."""

    def __init__(self, plotter, traj: Trajectory, *, title: str, captions: Mapping[str, str] | None = None):
        from .vtkclasses import vtk

        self.plotter = plotter
        self.traj = traj
        self.captions = {k: _(v) for k, v in (captions or {}).items()}  # a shipped scene's text: translated
        self._wrapped = dict(self.captions)  # as laid out: long captions broken into lines (layout)
        self.rtl = is_rtl()
        self.with_estimate = show_estimate(traj)
        self._size = None
        self.actors: dict[str, vtk.vtkTextActor] = {}
        specs = {
            # name: (font family, bold, colour, justification, vertical justification)
            "title": ("arial", True, (1.0, 1.0, 1.0), "left", "top"),
            "top_left": ("courier", False, (0.85, 0.92, 1.0), "left", "top"),
            "top_right": ("arial", True, (1.0, 0.78, 0.35), "right", "top"),
            "bottom_left": ("courier", True, (0.9, 1.0, 0.9), "left", "bottom"),
            "caption": ("arial", False, (1.0, 1.0, 1.0), "center", "bottom"),
            "record": ("courier", True, (1.0, 0.85, 0.45), "left", "bottom"),
        }
        self.record_checks = record.check(traj)
        for name, (family, bold, color, just, vjust) in specs.items():
            a = vtk.vtkTextActor()
            a.SetTextScaleModeToNone()
            p = a.GetTextProperty()
            {"arial": p.SetFontFamilyToArial, "courier": p.SetFontFamilyToCourier}[family]()
            p.SetBold(bold)
            use_language_font(p, bold)
            p.SetColor(*color)
            {"left": p.SetJustificationToLeft, "right": p.SetJustificationToRight,
             "center": p.SetJustificationToCentered}[just]()
            {"top": p.SetVerticalJustificationToTop, "bottom": p.SetVerticalJustificationToBottom}[vjust]()
            p.SetShadow(True)
            p.SetShadowOffset(1, -1)
            if name in ("bottom_left", "caption", "record"):
                p.SetBackgroundColor(0.0, 0.0, 0.0)
                p.SetBackgroundOpacity(0.45)
                p.SetFrame(False)
            a.SetInput(" ")
            plotter.renderer.AddActor(a)
            self.actors[name] = a
        self.actors["title"].SetInput(display_text(_(title)))
        self._phase_texts = sorted({display_text(_(t)) for t in _PHASE_LABELS.values()}
                                   | {display_text(phase_label("surface", traj))})
        try:
            reset = traj.event("imu_reset")  # measured with the engine-off row where a flight has one
            t0 = reset.et_s if reset is not None else float(traj.et_s[0])
            st0 = traj.at(t0)
            self._telemetry_sample = display_text(
                format_lines(traj, st0, t0, with_estimate=self.with_estimate)["bottom_left"])
        except Exception:  # noqa: BLE001 - a sample for measuring only
            self._telemetry_sample = "ALT  " + "0" * 30 + "\n" * (6 if self.with_estimate else 5)
        self.layout()

    def _text_size(self, name: str, text: str | None = None) -> tuple[int, int]:
        """Width and height in pixels of an actor's text at its current font size."""
        from .vtkclasses import vtk

        a = self.actors[name]
        text = a.GetInput() if text is None else text
        if not text or not text.strip():
            return 0, 0
        bb = [0, 0, 0, 0]
        if not vtk.vtkTextRenderer.GetInstance().GetBoundingBox(a.GetTextProperty(), text, bb, 72):
            return 0, 0
        return bb[1] - bb[0] + 1, bb[3] - bb[2] + 1

    def layout(self) -> None:
        """Font sizes and positions from the current window size and texts (cheap when unchanged).

        Sizes follow the frame height, but never more than a 16:9 frame of the same width would
        get (a tall, narrow viewer window keeps the proportions of a video frame). The texts are
        measured: a title that would run into the phase label shrinks (down to 70 %), and if it
        still does not fit the phase label moves under the UTC line; a caption too wide for its
        place right of the telemetry goes above the telemetry, centred, shrunk to the frame width.
        """
        w, h = self.plotter.window_size
        key = (w, h, self.actors["title"].GetInput())
        if key == self._size:
            return
        self._size = key
        unit = max(1.0, min(h, w * 9.0 / 16.0)) / 100.0  # 1 % of the (16:9-limited) frame height
        m = self._margin = max(4, int(round(2.2 * unit)))  # margin
        gap = max(6, int(round(2.0 * unit)))
        sizes = {"title": 3.6, "top_left": 2.7, "top_right": 3.2, "bottom_left": 2.7, "caption": 3.6,
                 "record": 2.2}
        for name, s in sizes.items():
            px = max(9, int(round(s * unit)))
            self.actors[name].GetTextProperty().SetFontSize(px)
        # top row: title (left) and phase (right) must not meet
        # the widest phase label and caption of this flight: the layout does not jump between phases
        wp = max(self._text_size("top_right", t)[0] for t in self._phase_texts)
        avail = w - 2 * m - wp - gap
        tp = self.actors["title"].GetTextProperty()
        wt, _ht = self._text_size("title")
        phase_below = False
        if wt > avail > 0:
            fs = tp.GetFontSize()
            new = max(9, int(fs * avail / wt))
            if new >= max(9, int(round(0.7 * fs))):
                tp.SetFontSize(new)
            else:
                phase_below = True
                tp.SetFontSize(max(9, min(fs, int(fs * (w - 2 * m) / wt))))
        elif avail <= 0:
            phase_below = True
        _wt, ht = self._text_size("title")
        row2 = h - m - max(ht, int(round(3.6 * unit))) - int(round(1.0 * unit))
        self.actors["title"].SetPosition(m, h - m)
        self.actors["top_left"].SetPosition(m, row2)
        if phase_below:
            _wl, hl = self._text_size("top_left")
            self.actors["top_right"].GetTextProperty().SetJustificationToLeft()
            self.actors["top_right"].SetPosition(m, row2 - hl - int(round(1.0 * unit)))
        else:
            self.actors["top_right"].GetTextProperty().SetJustificationToRight()
            self.actors["top_right"].SetPosition(w - m, h - m)
        self.actors["bottom_left"].SetPosition(m, m)
        # caption: bottom, right of the telemetry block (never over the lander in the middle of the
        # frame); above the telemetry, centred, when there is no room beside it
        cap = self.actors["caption"]
        self._wrapped = {k: self._wrap_caption(t, w - 2 * m) for k, t in self.captions.items()}
        wc = max([self._text_size("caption", self._padded(t))[0] for t in self._wrapped.values()] or [0])
        wb, hb = self._text_size("bottom_left", self._telemetry_sample)
        left = m + wb + gap
        self.actors["record"].SetPosition(m, m + hb + gap)  # published values: just above the telemetry
        cx = int(round(w * 0.64))
        half = min(cx - left, w - m - cx)
        if wc <= 2 * half:
            cap.SetPosition(cx, m)
        elif wc <= w - m - left:
            cap.SetPosition(left + (w - m - left) // 2, m)
        else:
            cap.SetPosition(w // 2, m + hb + gap)
            # two captions can be up at once (caption_at): the record goes above the tallest pair
            tall = sorted(self._wrapped.values(), key=lambda t: self._text_size("caption", self._padded(t))[1])
            hc = self._text_size("caption", self._padded("\n".join(tall[-2:])))[1] if tall else 0
            self.actors["record"].SetPosition(m, m + hb + gap + hc + gap)  # above the caption, then

    @staticmethod
    def _padded(text: str) -> str:
        return "\n".join(f" {line} " for line in text.split("\n"))

    def _wrap_caption(self, text: str, width_px: int) -> str:
        """``text`` broken into lines no wider than ``width_px`` at the caption's size (at word breaks;
        characters for a script written without spaces)."""
        if self._text_size("caption", self._padded(text))[0] <= width_px:
            return text
        words, sep = (text.split(" "), " ") if " " in text else (list(text), "")
        lines, line = [], ""
        for word in words:
            trial = f"{line}{sep}{word}" if line else word
            if line and self._text_size("caption", self._padded(trial))[0] > width_px:
                lines.append(line)
                line = word
            else:
                line = trial
        return "\n".join([*lines, line])

    def update(self, st: State, et_s: float) -> None:
        lines = format_lines(self.traj, st, et_s, with_estimate=self.with_estimate)
        for k, v in lines.items():
            self.actors[k].SetInput(display_text(v))
        cap = display_text(caption_at(self.traj, self._wrapped, et_s))
        self.actors["caption"].SetInput(self._padded(cap) if cap else "")
        self.actors["caption"].SetVisibility(bool(cap))
        rec = display_text(record.hud_text(self.traj, et_s, self.record_checks))
        self.actors["record"].SetInput(rec or " ")
        self.actors["record"].SetVisibility(bool(rec))
        self.layout()
        if self.rtl:
            self._right_align_telemetry()

    def _right_align_telemetry(self) -> None:
        """Right-to-left: the telemetry lines end flush right, the block where the English one stands."""
        a = self.actors["bottom_left"]
        a.GetTextProperty().SetJustificationToRight()
        _x, y = a.GetPosition()
        m = self._margin
        wide = max(self._text_size("bottom_left")[0], self._text_size("bottom_left", self._telemetry_sample)[0])
        a.SetPosition(m + wide, y)

    def back_over(self, disc_xy: tuple[float, float] | None, radius_px: float) -> None:
        """Put a dark backing behind every text block that a bright disc (the Sun and its glare,
        centre ``disc_xy`` in pixels from the top left) reaches, so no text is drawn over the Sun."""
        w, h = self.plotter.window_size
        r = radius_px
        if disc_xy is not None and not (-r < disc_xy[0] < w + r and -r < disc_xy[1] < h + r):
            disc_xy = None  # the Sun is nowhere near the frame: nothing to measure
        for name, a in self.actors.items():
            p = a.GetTextProperty()
            hit = False
            if disc_xy is not None and a.GetVisibility():
                bb = [0.0, 0.0, 0.0, 0.0]
                a.GetBoundingBox(self.plotter.renderer, bb)
                x, y = disc_xy[0], h - disc_xy[1]
                dx = max(bb[0] - x, 0.0, x - bb[1])
                dy = max(bb[2] - y, 0.0, y - bb[3])
                hit = dx * dx + dy * dy < radius_px * radius_px
            base = 0.45 if name in ("bottom_left", "caption") else 0.0
            want = 0.7 if hit else base
            if p.GetBackgroundOpacity() != want:  # a changed text property re-renders the text
                p.SetBackgroundColor(0.0, 0.0, 0.0)
                p.SetBackgroundOpacity(want)

    def set_visible(self, visible: bool) -> None:
        for a in self.actors.values():
            a.SetVisibility(visible)
