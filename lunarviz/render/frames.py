"""Everything one process needs to turn an instant of a flight into the pixels of each output layer.

:class:`FrameSource` builds the off-screen plotter and the scene once (a
render farm worker keeps one for all its segments) and :meth:`FrameSource.frame`
returns, for one ET, a dict ``layer -> (H, W, 3 or 4) uint8``:

* ``beauty`` -- the picture (RGB). With compositing layers it leaves out the HUD;
* ``hud`` -- the telemetry overlay alone, RGBA with a transparent background
  (a separate small plotter holding only the HUD's text actors);
* ``nosky`` -- the scene without stars, Sun and Earth, RGBA (alpha 0 where the sky shows).

Dome and 360° frames (:mod:`lunarviz.render.panorama`) are resampled from
cube faces; their HUD is drawn flat in the audience's front view: in a
domemaster the lower middle of the circle, in an equirectangular frame just
below the horizon straight ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .panorama import Projection

LAYERS = ("beauty", "hud", "nosky")


@dataclass(frozen=True)
class FrameSettings:
    """How frames look (picklable: sent to render-farm workers)."""

    size: tuple[int, int] = (1920, 1080)
    camera: str = "chase"
    quality: str = "high"
    hud: bool = True
    antialias: str | None = None
    projection: Projection = field(default_factory=Projection)
    layers: tuple[str, ...] = ("beauty",)
    #: the HUD's unit system (:mod:`lunarviz.units`); None: the one in use where the frames are made
    units: str | None = None


def _alpha_over(dst: np.ndarray, src: np.ndarray, x0: int, y0: int) -> None:
    """Composite RGBA ``src`` over RGB ``dst`` in place with its top-left corner at (x0, y0)."""
    h, w = src.shape[:2]
    a = src[..., 3:4].astype(np.float32) / 255.0
    reg = dst[y0:y0 + h, x0:x0 + w].astype(np.float32)
    dst[y0:y0 + h, x0:x0 + w] = np.clip(src[..., :3] * a + reg * (1 - a) + 0.5, 0, 255).astype(np.uint8)


def hud_box(proj: Projection, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """(x0, y0, width, height) of the flat HUD panel in a panoramic frame (16:9, even sides)."""
    w, h = size
    pw = (w // 2 if proj.kind == "fisheye" else w // 4) // 2 * 2
    ph = int(pw * 9 / 16) // 2 * 2
    y0 = int(0.86 * h) - ph if proj.kind == "fisheye" else int(0.64 * h)
    return (w - pw) // 2, y0, pw, ph


#: frames at least this many pixels tall (4K) use the "uhd" detail of quality "high"
UHD_FROM_PX = 2000


def quality_for(quality: str, window: tuple[int, int]) -> str:
    """The scene detail for a quality and window: bigger textures for 4K frames."""
    return "uhd" if quality == "high" and window[1] >= UHD_FROM_PX else quality


class FrameSource:
    """The plotter(s), the scene and (for panoramas) the cube-face table of one render process."""

    def __init__(self, traj, settings: FrameSettings):
        from . import scene as scene_mod
        from .offscreen import make_plotter

        self.traj, self.s = traj, settings
        if settings.units:
            from ..units import set_units

            set_units(settings.units)
        proj = settings.projection
        self.remap = None
        window = settings.size
        if proj.panoramic:
            from .panorama import Remap

            self.remap = Remap(proj, settings.size)
            window = (self.remap.face_px, self.remap.face_px)
        layered = set(settings.layers) - {"beauty"}
        self.hud_in_scene = settings.hud and not proj.panoramic and not layered
        self.plotter = make_plotter(window, antialias=settings.antialias, alpha="nosky" in settings.layers)
        self.hud_plotter = None
        try:
            self.handles = scene_mod.build(self.plotter, traj, quality=quality_for(settings.quality, window),
                                           hud=self.hud_in_scene)
            want_hud = settings.hud and ("hud" in settings.layers or proj.panoramic)
            if want_hud:
                self._build_hud()
        except BaseException:
            self.close()
            raise

    def _build_hud(self) -> None:
        from .hud import Hud
        from .offscreen import make_plotter

        size = self.s.size if not self.s.projection.panoramic else hud_box(self.s.projection, self.s.size)[2:]
        self.hud_plotter = make_plotter(tuple(size), alpha=True)
        self.hud_plotter.set_background("black")
        sc = self.traj.scenario
        title = (sc.title if sc is not None else None) or "lunarviz"
        captions = dict(sc.captions) if sc is not None else {}
        self.hud = Hud(self.hud_plotter, self.traj, title=title, captions=captions)

    def _grab(self, alpha: bool) -> np.ndarray:
        from .offscreen import grab, grab_rgba

        return grab_rgba(self.plotter) if alpha else grab(self.plotter)

    def _picture(self, alpha: bool) -> np.ndarray:
        if self.remap is None:
            return self._grab(alpha)
        from .panorama import render_faces

        return self.remap.apply(render_faces(self.handles, self.remap, lambda: self._grab(alpha)))

    def _hud_rgba(self, et_s: float) -> np.ndarray:
        from .offscreen import grab_rgba

        self.hud.update(self.traj.at(et_s), et_s)
        return grab_rgba(self.hud_plotter)

    def _without_sky(self) -> np.ndarray:
        sky = self.handles.sky
        props = sky.GetViewProps()
        props.InitTraversal()
        shown = []
        for _ in range(props.GetNumberOfItems()):
            p = props.GetNextProp()
            shown.append((p, p.GetVisibility()))
            p.SetVisibility(False)
        try:
            return self._picture(alpha=True)
        finally:
            for p, vis in shown:
                p.SetVisibility(vis)

    def frame(self, et_s: float) -> dict[str, np.ndarray]:
        """The layers of the frame at ``et_s`` (ET seconds)."""
        from . import scene as scene_mod

        scene_mod.update(self.handles, float(et_s), self.s.camera)
        out = {"beauty": self._picture(alpha=False)}
        hud = self._hud_rgba(float(et_s)) if self.hud_plotter is not None else None
        if self.s.projection.panoramic and hud is not None and "hud" not in self.s.layers:
            x0, y0 = hud_box(self.s.projection, self.s.size)[:2]
            _alpha_over(out["beauty"], hud, x0, y0)
        if "hud" in self.s.layers:
            if hud is None:
                hud = np.zeros((self.s.size[1], self.s.size[0], 4), np.uint8)
            elif self.s.projection.panoramic:
                full = np.zeros((self.s.size[1], self.s.size[0], 4), np.uint8)
                x0, y0, w, h = hud_box(self.s.projection, self.s.size)
                full[y0:y0 + h, x0:x0 + w] = hud
                hud = full
            out["hud"] = hud
        if "nosky" in self.s.layers:
            out["nosky"] = self._without_sky()
        return {k: out[k] for k in self.s.layers}

    def close(self) -> None:
        for p in (getattr(self, "plotter", None), self.hud_plotter):
            if p is not None:
                p.close()
