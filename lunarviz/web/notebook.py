""":func:`lunarviz.show`: the flight in a Jupyter notebook, through pyvista's trame backend.

The 3D view is the one scene (:mod:`lunarviz.render.scene`, HUD included) in an
off-screen plotter, shown with trame-pyvista's ``show_trame(mode="server")``:
the kernel renders and streams frames to the notebook, exactly the picture of
``lunarviz still``, ``render`` and ``serve``. Under it, ipywidgets: a time slider
(seconds from touchdown, the UTC beside it) and a camera picker; each change
re-draws with :func:`lunarviz.render.scene.update` and pushes a frame.

Without a widget backend (no kernel, or trame-pyvista / ipywidgets missing), or
with ``backend="static"``, the result is a still image (``PIL.Image``) of the
same view, which Jupyter and other front ends display as a PNG.
"""

from __future__ import annotations

from ..errors import LunarvizError

BACKENDS = ("auto", "trame", "static")


def widget_backend_available() -> bool:
    """Whether an interactive view can be shown: a running Jupyter kernel with trame-pyvista and ipywidgets."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return False
    try:
        import ipywidgets  # noqa: F401 - only whether it is installed
        import trame_pyvista.jupyter  # noqa: F401 - only whether it is installed
    except ImportError:
        return False
    return True


def show(traj, *, camera: str = "chase", at="touchdown-20s", size=(960, 540), backend: str = "auto",
         quality: str = "draft"):
    """See :func:`lunarviz.show`. Returns an ipywidgets box, or a ``PIL.Image`` (static)."""
    from ..render.camera import check_camera
    from ..render.timespec import parse_time_spec

    if backend not in BACKENDS:
        raise LunarvizError(f"show: backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    check_camera(camera, "camera")
    et_s = parse_time_spec(at, traj)
    interactive = backend == "trame" or (backend == "auto" and widget_backend_available())
    if not interactive:
        from PIL import Image

        from ..render.still import render_still

        return Image.fromarray(render_still(traj, et_s, camera=camera, size=tuple(size), quality=quality))
    return InteractiveView(traj, camera=camera, et_s=et_s, size=size, quality=quality).box


class InteractiveView:
    """The 3D view and its widgets; ``box`` (an ipywidgets ``VBox``) is what the notebook shows."""

    def __init__(self, traj, *, camera: str, et_s: float, size, quality: str) -> None:
        import ipywidgets as w
        from trame_pyvista.jupyter import show_trame

        from ..app.playback import CAMERAS
        from ..render import scene as scene_mod
        from ..render.offscreen import check_headless, make_plotter

        check_headless()
        self.traj = traj
        self.plotter = make_plotter(tuple(size))
        self.handles = scene_mod.build(self.plotter, traj, quality=quality, hud=True)
        td = traj.event("touchdown")
        self.zero_et_s = float(td.et_s) if td is not None else traj.end_et_s
        self.time = w.FloatSlider(value=round(et_s - self.zero_et_s, 1), min=traj.start_et_s - self.zero_et_s,
                                  max=traj.end_et_s - self.zero_et_s, step=0.5, description="t - touchdown (s)",
                                  continuous_update=False, readout_format=".1f",
                                  style={"description_width": "initial"}, layout=w.Layout(width="60%"))
        self.camera = w.Dropdown(options=list(CAMERAS), value=camera, description="camera")
        self.utc = w.Label()
        self._draw()
        self.view = show_trame(self.plotter, mode="server", add_menu=False)
        self.time.observe(self._changed, names="value")
        self.camera.observe(self._changed, names="value")
        self.box = w.VBox([self.view, w.HBox([self.time, self.camera, self.utc])])
        self.box.lunarviz_view = self  # for code (and tests) that drive the widgets

    def _draw(self) -> None:
        from ..formatting import format_utc
        from ..render import scene as scene_mod

        et = self.zero_et_s + float(self.time.value)
        scene_mod.update(self.handles, et, self.camera.value)
        self.utc.value = format_utc(et)

    def _changed(self, _change) -> None:
        self._draw()
        self.view.viewer.update()
