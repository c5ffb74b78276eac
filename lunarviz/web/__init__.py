"""lunarviz on the web and in notebooks: ``lunarviz serve`` (trame) and :func:`lunarviz.show` (Jupyter).

- :mod:`lunarviz.web.session` -- one watched flight (scene, playhead, camera, what-if), no Qt, no trame
- :mod:`lunarviz.web.server` -- the trame app: the presenter's session, own sessions, the browser limit
- :mod:`lunarviz.web.page` -- the page's layout (vuetify 3)
- :mod:`lunarviz.web.routes` -- ``/own`` and the ``--max-clients`` limit
- :mod:`lunarviz.web.notebook` -- :func:`lunarviz.show` through pyvista's trame Jupyter backend

trame is imported only by ``server``, ``page`` and ``notebook``, when used.
"""
