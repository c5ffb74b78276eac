"""The page of ``lunarviz serve`` (trame + vuetify 3): the 3D view and the controls around it.

Element ids the browser tests use: ``view`` (the 3D view), ``utc`` (the UTC
label), ``play`` (play/pause), ``own`` (a session of one's own), ``following``
(shown on a page that follows the presenter), ``error``.
"""

from __future__ import annotations

from ..i18n import _


def _js(text: str) -> str:
    """``text`` as a single-quoted JavaScript string (for the page's Vue expressions)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _follower(app) -> tuple[str]:
    """The ``disabled`` binding of a control: greyed out on a page that only follows the presenter."""
    from .server import PRESENTER_JS

    return (f"!({PRESENTER_JS})" if app.locked else "false",)


def _controls(app, v3, html) -> None:
    off = _follower(app)
    pause, play = _js(_("Pause")), _js(_("Play"))
    v3.VBtn(f"{{{{ playing ? {pause} : {play} }}}}", id="play", click="trigger('toggle')", variant="tonal",
            classes="mr-2", disabled=off)
    v3.VSelect(v_model=("speed",), items=("speeds",), label=_("Speed"), density="compact", hide_details=True,
               style="max-width: 150px", classes="mr-2", disabled=off)
    v3.VSelect(v_model=("camera",), items=("cameras",), label=_("Camera"), density="compact", hide_details=True,
               style="max-width: 140px", classes="mr-2", id="camera", disabled=off)
    v3.VSelect(v_model=("jump_to",), items=("events",), item_title="label", item_value="name", label=_("Jump to"),
               density="compact", hide_details=True, style="max-width: 230px", classes="mr-2", id="jump",
               disabled=off)
    v3.VSelect(v_model=("scene",), items=("scenes",), label=_("Scene"), density="compact", hide_details=True,
               style="max-width: 200px", classes="mr-2", disabled=off)
    if app.locked:
        html.Span(_("following the presenter ·"), v_if=off[0], id="following", classes="text-caption ml-2")
    html.A(_("My own session"), href="/own", target="_blank", id="own", classes="text-caption ml-2")


def _whatif(app, v3, html) -> None:
    from .. import units
    from .server import WHATIF_FIELDS

    off = _follower(app)
    html.Span(_("What if:"), classes="text-caption mr-2")
    for name, _key, label, dim in WHATIF_FIELDS:
        v3.VTextField(v_model=(name,), label=_(label).format(unit=units.unit(dim)), type="number",
                      density="compact", hide_details=True, id=name, style="max-width: 210px", classes="mr-2",
                      disabled=off)
    v3.VBtn(_("Fly it"), click="trigger('fly_whatif')", variant="tonal", classes="mr-2", id="fly_whatif",
            disabled=off)
    v3.VBtn(_("As flown"), click="trigger('as_flown')", variant="text", classes="mr-2", disabled=off)
    showing, flown = _js(_("showing: ")), _js(_("showing: as flown"))
    html.Span(f"{{{{ whatif ? {showing} + whatif : {flown} }}}}",
              classes="text-caption", id="whatif")


def build_page(app):
    """Lay out ``app``'s page (the frame is the ``frame`` state: a JPEG data URL)."""
    from trame.ui.vuetify3 import SinglePageLayout
    from trame.widgets import html
    from trame.widgets import vuetify3 as v3

    from .session import VIEW_SIZE

    s = app.session
    title = _(s.traj.scenario.title) if s.traj.scenario is not None else s.scene
    with SinglePageLayout(app.server, full_height=True) as layout:
        layout.title.set_text(f"lunarviz · {title}")
        with layout.toolbar:
            v3.VSpacer()
            html.Div("{{ utc }}", id="utc", classes="text-subtitle-1 mr-4", style="font-family: monospace")
            html.Div("{{ l_minus }}", id="lminus", classes="text-subtitle-1 mr-4", style="font-family: monospace")
        with layout.content:
            with v3.VContainer(fluid=True, classes="pa-2 d-flex flex-column", style="height: 100%"):
                with html.Div(classes="d-flex align-center mb-2", style="flex: 0 0 auto"):
                    _controls(app, v3, html)
                v3.VSlider(model_value=("fraction",), min=0, max=1, step=0.0005, hide_details=True,
                           end="trigger('scrub', [$event])", id="scrub", classes="mb-1",
                           style="flex: 0 0 auto", disabled=_follower(app))
                w, h = VIEW_SIZE  # the view keeps the frames' shape: as wide as the page allows
                with html.Div(id="view", style=f"width: 100%; aspect-ratio: {w} / {h}; margin: 0 auto; "
                                               f"max-width: calc((100vh - 230px) * {w / h:.4f}); background: black"):
                    html.Img(src=("frame",), alt="the 3D view", style="display: block; width: 100%; height: 100%")
                with html.Div(classes="d-flex align-center mt-2", style="flex: 0 0 auto"):
                    _whatif(app, v3, html)
                html.Div("{{ error }}", id="error", classes="text-error text-caption")
