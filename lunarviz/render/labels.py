"""Labels and a ground-scale bar over a built scene (the viewer's View > Labels / Scale bar).

Labels: the landing site with its name, the Earth, the Sun, and named lunar
features near the site (:data:`FEATURES`, coordinates in ``assets/SOURCES.md``).
Each is a 2-D text placed every frame at the projection of its 3-D point,
hidden when behind the camera, below the camera's horizon or (Earth, Sun)
behind the Moon. The scale bar shows a round ground distance where the view's
centre ray meets the ground, while the camera is low enough for the ground to
read as ground (looking at the sky, there is none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lunarviz.geometry import MOON_RADIUS_M, latlon_to_unit
from lunarviz.i18n import _, display_text

from .hud import use_language_font

#: named features (IAU names; latitude N, longitude E, degrees), shown when near the landing site
FEATURES: tuple[tuple[str, float, float], ...] = (
    # Mare Frigoris (Resilience)
    ("Plato", 51.6, -9.4), ("Archytas", 58.7, 5.0), ("W. Bond", 65.4, 4.5), ("Anaxagoras", 73.4, -10.1),
    ("Fontenelle", 63.4, -18.9),
    # Mare Tranquillitatis (Apollo 11)
    ("Moltke", -0.6, 24.2), ("Sabine", 1.4, 20.1), ("Ritter", 2.0, 19.2), ("Armstrong", 1.4, 25.0),
    ("Aldrin", 1.4, 22.1), ("Collins", 1.3, 23.7),
    # south polar highlands (Chandrayaan-3)
    ("Manzinus", -67.7, 26.8), ("Boguslawsky", -72.9, 43.3), ("Simpelius", -73.0, 15.2),
    # Mare Crisium (Blue Ghost M1)
    ("Picard", 14.6, 54.7), ("Peirce", 18.3, 53.4),
    # Atlas (HAKUTO-R M1)
    ("Atlas", 46.7, 44.4), ("Hercules", 46.7, 39.1),
    # Mare Serenitatis (Beresheet)
    ("Posidonius", 31.9, 29.9), ("Bessel", 21.8, 17.9), ("Le Monnier", 26.6, 30.6),
)
#: features within this ground distance of the site are labelled, m
FEATURE_RADIUS_M = 400e3
#: the scale bar shows while the camera is lower than this above the ground, m
SCALE_BAR_BELOW_M = 60e3
#: the scale bar's length on screen lies in this range, px
SCALE_BAR_PX = (70.0, 180.0)
LABEL_RGB = (0.85, 0.92, 1.0)


@dataclass
class LabelHandles:
    texts: dict[str, Any] = field(default_factory=dict)
    points: dict[str, np.ndarray] = field(default_factory=dict)   # MOON_ME surface points of ground labels
    bar: Any = None
    bar_text: Any = None
    labels_on: bool = True
    bar_on: bool = True


def nearby_features(lat_deg: float, lon_deg: float, radius_m: float = FEATURE_RADIUS_M) -> list[tuple]:
    """The :data:`FEATURES` within ``radius_m`` ground distance of (lat, lon)."""
    u0 = latlon_to_unit(lat_deg, lon_deg)
    out = []
    for name, lat, lon in FEATURES:
        ang = math.acos(float(np.clip(np.dot(u0, latlon_to_unit(lat, lon)), -1.0, 1.0)))
        if ang * MOON_RADIUS_M <= radius_m:
            out.append((name, lat, lon))
    return out


def scale_length_m(m_per_px: float, lo_px: float = SCALE_BAR_PX[0], hi_px: float = SCALE_BAR_PX[1]) -> float:
    """A round length (1, 2 or 5 x 10^k m) that spans ``lo_px``..``hi_px`` pixels (the longest that fits)."""
    best = None
    for k in range(-1, 7):
        for m in (1.0, 2.0, 5.0):
            length = m * 10.0 ** k
            if lo_px <= length / m_per_px <= hi_px:
                best = length
    return best if best is not None else 10.0 ** round(math.log10(max(m_per_px * hi_px, 1e-3)))


def format_length(m: float) -> str:
    return f"{m / 1000:g} km" if m >= 1000 else f"{m:g} m"


def _text(ren, size=14, bold=False):
    from .vtkclasses import vtk

    a = vtk.vtkTextActor()
    p = a.GetTextProperty()
    p.SetColor(*LABEL_RGB)
    p.SetFontSize(size)
    p.SetBold(bold)
    use_language_font(p, bold)
    p.SetShadow(True)
    p.SetVerticalJustificationToBottom()
    ren.AddViewProp(a)
    return a


def build_labels(h) -> LabelHandles:
    """Label actors for the scene ``h`` (site, Earth, Sun, nearby features) and the scale bar."""
    from .vtkclasses import vtk

    sc = h.traj.scenario
    lb = LabelHandles()
    site_name = _(sc.site.name) if sc is not None and sc.site.name else _("Landing site")
    ground = [(f"● {site_name}", np.asarray(h.target_m, float))]
    if sc is not None:
        for name, lat, lon in nearby_features(sc.site.lat_deg, sc.site.lon_deg):
            u = latlon_to_unit(lat, lon)
            hgt = float(np.asarray(h.height_fn(lat, lon))) if h.height_fn is not None else 0.0
            ground.append((f"· {name}", u * (MOON_RADIUS_M + hgt)))
    for text, p in ground:
        lb.texts[text] = _text(h.renderer, 15 if text.startswith("●") else 13, bold=text.startswith("●"))
        lb.texts[text].SetInput(text[:2] + display_text(text[2:]))  # the dot stays on the point, left
        lb.points[text] = p
    for body, word in (("Earth", _("Earth")), ("Sun", _("Sun"))):
        lb.texts[body] = _text(h.renderer, 14)
        lb.texts[body].SetInput(display_text(f"  {word}"))
    pts = vtk.vtkPoints()
    pts.SetNumberOfPoints(4)
    lines = vtk.vtkCellArray()
    for a, b in ((0, 1), (0, 2), (1, 3)):
        lines.InsertNextCell(2)
        lines.InsertCellPoint(a)
        lines.InsertCellPoint(b)
    poly = vtk.vtkPolyData()
    poly.SetPoints(pts)
    poly.SetLines(lines)
    mapper = vtk.vtkPolyDataMapper2D()
    mapper.SetInputData(poly)
    lb.bar = vtk.vtkActor2D()
    lb.bar.SetMapper(mapper)
    lb.bar.GetProperty().SetColor(*LABEL_RGB)
    lb.bar.GetProperty().SetLineWidth(2)
    h.renderer.AddViewProp(lb.bar)
    lb.bar_text = _text(h.renderer, 14)
    return lb


def remove_labels(h, lb: LabelHandles | None) -> None:
    if lb is None:
        return
    for a in (*lb.texts.values(), lb.bar, lb.bar_text):
        h.renderer.RemoveViewProp(a)


def _hits_moon(origin: np.ndarray, direction: np.ndarray) -> bool:
    b = float(np.dot(origin, direction))
    c = float(np.dot(origin, origin)) - MOON_RADIUS_M ** 2
    return b < 0 and b * b - c > 0


def update_labels(h, lb: LabelHandles, et_s: float) -> None:
    """Place the labels and the scale bar for the frame ``scene.update`` just prepared.

    Features are labelled only while the camera is within :data:`FEATURE_RADIUS_M` of them
    (from orbit only the site is); a label that would overlap one placed before it is left out.
    """
    from lunarviz import ephemeris

    from .scene import project_to_pixels

    cam = np.asarray(h.origin_m, float)
    w, hgt = h.plotter.window_size
    hud = hud_boxes(h, hgt)
    taken: list[tuple[float, float, float, float]] = list(hud)  # a label never covers the HUD's text
    for text, p in lb.points.items():
        near = text.startswith("●") or float(np.linalg.norm(cam - p)) < FEATURE_RADIUS_M
        above_horizon = float(np.dot(cam - p, p / np.linalg.norm(p))) > 0.0
        xy = project_to_pixels(h, p) if (lb.labels_on and near and above_horizon) else None
        _put(lb.texts[text], _free_spot(xy, lb.texts[text], taken, hgt), w, hgt)
    for body in ("Earth", "Sun"):
        d = ephemeris.position_m(body.upper(), et_s, frame="MOON_ME") - cam
        d = d / np.linalg.norm(d)
        xy = project_to_pixels(h, cam + d * 1e6) if lb.labels_on and not _hits_moon(cam, d) else None
        _put(lb.texts[body], xy, w, hgt)
    _update_bar(h, lb, cam, w, hgt, hud)


def hud_boxes(h, hgt: int) -> list[tuple[float, float, float, float]]:
    """Screen boxes (x0, y0, x1, y1; y down from the top, px) of the HUD's visible texts this frame."""
    hud = getattr(h, "hud", None)
    if hud is None:
        return []
    boxes = []
    for actor in hud.actors.values():
        if not actor.GetVisibility() or not (actor.GetInput() or "").strip():
            continue
        b = [0.0] * 4
        actor.GetBoundingBox(h.renderer, b)
        x, y = actor.GetPositionCoordinate().GetComputedDisplayValue(h.renderer)
        boxes.append((x + b[0], hgt - (y + b[3]), x + b[1], hgt - (y + b[2])))
    return boxes


def _text_width_px(font_size: float, text: str) -> float:
    """A label's width on screen, estimated from its font size (no text layout per frame)."""
    return 0.6 * font_size * len(text)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _free_spot(xy, actor, taken: list, hgt: int):
    """``xy`` if the label's box there overlaps no label already placed this frame (then it is taken)."""
    if xy is None:
        return None
    size = actor.GetTextProperty().GetFontSize()
    box = (xy[0], xy[1] - size, xy[0] + _text_width_px(size, actor.GetInput() or ""), xy[1] + 2)
    if any(_overlaps(box, b) for b in taken):
        return None
    taken.append(box)
    return xy


def ground_distance_m(cam: np.ndarray, direction: np.ndarray, radius_m: float) -> float | None:
    """Distance along the unit ``direction`` from ``cam`` to a sphere of ``radius_m`` (None: no hit)."""
    b = float(np.dot(cam, direction))
    c = float(np.dot(cam, cam)) - radius_m ** 2
    disc = b * b - c
    if disc < 0 or c < 0:
        return None
    t = -b - math.sqrt(disc)
    return t if t > 0 else None


def _put(actor, xy, w: int, hgt: int) -> None:
    if xy is None or not (0 <= xy[0] < w and 0 <= xy[1] < hgt):
        actor.SetVisibility(False)
        return
    actor.SetVisibility(True)
    actor.SetPosition(float(xy[0]) + 4.0, float(hgt - xy[1]) + 2.0)


def _update_bar(h, lb: LabelHandles, cam: np.ndarray, w: int, hgt: int, hud: list) -> None:
    """The ground scale at the centre of the picture, where the view's centre ray meets the ground;
    lifted above any HUD text (a caption) it would cross."""
    alt = float(np.linalg.norm(cam)) - MOON_RADIUS_M
    dist = None
    if lb.bar_on and alt <= SCALE_BAR_BELOW_M and h.camera is not None:
        vc = h.renderer.GetActiveCamera()
        ground_r = float(np.linalg.norm(h.target_m)) if h.target_m is not None else MOON_RADIUS_M
        dist = ground_distance_m(cam, np.asarray(vc.GetDirectionOfProjection(), float), ground_r)
    if dist is None or dist > 4 * SCALE_BAR_BELOW_M:
        lb.bar.SetVisibility(False)
        lb.bar_text.SetVisibility(False)
        return
    m_per_px = 2.0 * dist * math.tan(math.radians(h.camera.view_angle_deg) / 2.0) / max(hgt, 1)
    length = scale_length_m(m_per_px)
    px = length / m_per_px
    x1 = w - 0.03 * w
    x0, y = x1 - px, 0.14 * hgt
    text = display_text(_("{length} on the ground at the centre").format(length=format_length(length)))
    size = lb.bar_text.GetTextProperty().GetFontSize()
    left = min(x0, x1 - _text_width_px(size, text))
    for b in sorted(hud, key=lambda b: -b[1]):  # the lowest first: each may lift it above the next
        if _overlaps((left, hgt - (y + 12 + size), x1, hgt - y + 2), b):
            y = hgt - b[1] + 6
    pts = lb.bar.GetMapper().GetInput().GetPoints()
    for i, (x, yy) in enumerate(((x0, y), (x1, y), (x0, y + 8), (x1, y + 8))):
        pts.SetPoint(i, x, yy, 0.0)
    pts.Modified()
    lb.bar.SetVisibility(True)
    lb.bar_text.SetInput(text)
    lb.bar_text.GetTextProperty().SetJustificationToRight()
    lb.bar_text.SetPosition(x1, y + 10)
    lb.bar_text.SetVisibility(True)
