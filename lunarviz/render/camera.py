"""Camera presets and keyframed camera paths, shared by the video renderer and the viewer.

A camera is a :class:`CameraSpec`: eye and focal point in ``MOON_ME`` metres
(float64, full precision), a view-up vector and a vertical view angle. The
scene turns it into a camera-relative VTK camera (floating origin).

Presets (``PRESETS``):

``chase``
    behind (against the direction of travel) and above the lander, looking at it.
``orbit``
    wide and fixed: the Moon, the orbit and the descent track, from ~2.6 Moon radii.
``site``
    a tripod on the ground ~1 km from the landing target on the Sun's side, eye
    height 1.7 m, looking at the incoming lander with the ground and the horizon.
``earthrise``
    from ~100 km up, over the point from which the Earth stands just above the
    limb on the lander's side of the Moon (lander hidden).
``down``
    the lander's view of the surface straight below (lander hidden).

Keyframed paths (:class:`CameraPath`) switch between presets at given times
and blend smoothly: focal point linearly, view direction by spherical
interpolation, eye distance geometrically, all eased with a smoothstep.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import RenderError, ScenarioError, TimeError, shown
from ..geometry import MOON_RADIUS_M, enu_basis_from_up, unit_to_latlon
from ..scenario import CAMERA_NAMES, Keyframe, RenderSettings
from ..trajectory import State, Trajectory

#: the preset names, defined once by the scenario schema (:data:`lunarviz.scenario.CAMERA_NAMES`)
PRESET_NAMES = CAMERA_NAMES


@dataclass(frozen=True)
class CameraSpec:
    """Camera in MOON_ME metres. ``hide_lander`` hides the lander (camera inside it)."""

    position_m: np.ndarray
    focal_m: np.ndarray
    up: np.ndarray
    view_angle_deg: float = 40.0
    hide_lander: bool = False
    name: str = "custom"
    #: what the shot is of (MOON_ME), kept in frame while blending between cameras; None: no subject
    subject_m: np.ndarray | None = None


@dataclass
class CameraContext:
    """Everything a preset may look at for one instant."""

    traj: Trajectory
    et_s: float
    state: State
    earth_pos_m: np.ndarray  # MOON_ME, from the Moon's centre
    sun_dir: np.ndarray  # unit vector MOON_ME (Moon centre -> Sun)
    target_m: np.ndarray  # landing target on the surface, MOON_ME
    height_fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    aspect: float = 16 / 9
    options: Mapping[str, float] = field(default_factory=dict)


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, float)
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def _horizontal(v: np.ndarray, up: np.ndarray) -> np.ndarray:
    return v - np.dot(v, up) * up


def _fallback_heading(up: np.ndarray) -> np.ndarray:
    """Local north (or east near the poles) when no direction of travel exists."""
    north = _horizontal(np.array([0.0, 0.0, 1.0]), up)
    if np.linalg.norm(north) < 1e-6:
        north = _horizontal(np.array([1.0, 0.0, 0.0]), up)
    return _unit(north)


def _end_of_motion_et(traj: Trajectory) -> float:
    ev = traj.event("touchdown")
    return ev.et_s if ev is not None else traj.end_et_s


def heading(traj: Trajectory, et_s: float, window_s: float = 90.0) -> np.ndarray:
    """Smooth unit direction of travel (horizontal, MOON_ME) at ``et_s``.

    The chord of the path over the preceding ``window_s`` seconds, evaluated no
    later than touchdown, so the direction stays defined (and still) after
    the lander stops.
    """
    t1 = min(et_s, _end_of_motion_et(traj))
    t1 = max(t1, traj.start_et_s + 1.0)
    t0 = max(traj.start_et_s, t1 - window_s)
    p1 = traj.at(t1).pos_m
    p0 = traj.at(t0).pos_m
    up = _unit(p1)
    h = _horizontal(p1 - p0, up)
    if np.linalg.norm(h) < 1e-3:
        return _fallback_heading(up)
    return _unit(h)


def surface_point(height_fn, pos_m: np.ndarray) -> np.ndarray:
    """Point on the terrain (or sphere) below ``pos_m``."""
    up = _unit(pos_m)
    h = 0.0
    if height_fn is not None:
        lat, lon = unit_to_latlon(up)
        h = float(np.asarray(height_fn(np.array([lat]), np.array([lon])))[0])
    return up * (MOON_RADIUS_M + h)


def _terrain_max_nearby(height_fn, p: np.ndarray, radius_m: float) -> float:
    """Highest terrain height (m above the sphere) at ``p`` and on two circles around it."""
    if height_fn is None:
        return 0.0
    e, n, _ = enu_basis_from_up(p)
    ang = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    pts = [p]
    for r in (0.4 * radius_m, radius_m):
        pts += [p + r * (np.cos(a) * e + np.sin(a) * n) for a in ang]
    lat, lon = unit_to_latlon(np.array(pts))
    return float(np.max(height_fn(lat, lon)))


def _line_of_sight_lift(height_fn, eye: np.ndarray, target: np.ndarray, margin_m: float = 2.0) -> float:
    """How far (m) to raise ``eye`` so the straight line from it to ``target`` clears the terrain by
    ``margin_m`` (a ridge or crater rim between a tripod and the landing point would hide the lander)."""
    if height_fn is None:
        return 0.0
    f = np.linspace(0.05, 0.95, 24)
    pts = eye[None, :] + f[:, None] * (target - eye)[None, :]
    line_h = np.linalg.norm(pts, axis=1) - MOON_RADIUS_M
    lat, lon = unit_to_latlon(pts / np.linalg.norm(pts, axis=1)[:, None])
    ground_h = np.asarray(height_fn(lat, lon), dtype=float)
    return float(max(0.0, np.max((ground_h + margin_m - line_h) / (1.0 - f))))


# ------------------------------------------------------------------ presets
def chase(ctx: CameraContext) -> CameraSpec:
    s = ctx.state
    up = s.up
    f = heading(ctx.traj, ctx.et_s)
    dist = float(ctx.options.get("distance_m", 22.0))
    el = np.radians(float(ctx.options.get("elevation_deg", 14.0)))
    az = np.radians(float(ctx.options.get("azimuth_deg", 20.0)))
    right = np.cross(f, up)
    back = -(np.cos(az) * f + np.sin(az) * right)
    centre = s.pos_m + up * 1.2
    eye = centre + dist * (np.cos(el) * back + np.sin(el) * up)
    # never below the ground
    ground = surface_point(ctx.height_fn, eye)
    if np.linalg.norm(eye) < np.linalg.norm(ground) + 1.5:
        eye = ground + up * 1.5
    focal = centre + f * 2.0 - up * 1.0  # look slightly ahead and down: more ground, horizon high
    return CameraSpec(eye, focal, up, float(ctx.options.get("fov_deg", 45.0)), name="chase", subject_m=centre)


def orbit(ctx: CameraContext) -> CameraSpec:
    """Wide and fixed: the lit disc with the landing site and the descent track on it, from ~3.7
    Moon radii over the site on the Sun's side; the Earth joins the frame where it can (its
    direction within the view), the view leaning towards it."""
    site_u = _unit(ctx.target_m)
    look = _unit(2.0 * site_u + 0.8 * ctx.sun_dir)
    dist = float(ctx.options.get("distance_m", 3.7 * MOON_RADIUS_M))  # whole disc + orbit in frame
    fov = float(ctx.options.get("fov_deg", 40.0))
    eye = look * dist
    focal = site_u * 0.05 * MOON_RADIUS_M
    to_earth = _unit(ctx.earth_pos_m - eye)
    ang = float(np.degrees(np.arccos(np.clip(np.dot(to_earth, -look), -1.0, 1.0))))
    if ang < 0.5 * fov * ctx.aspect - 3.0:
        # the Earth is within the frame's width already: aim between it and the Moon
        focal = focal + (eye + to_earth * dist - focal) * 0.25
    up = _horizontal(np.array([0.0, 0.0, 1.0]), look)
    if np.linalg.norm(up) < 1e-6:
        up = np.array([0.0, 1.0, 0.0])
    return CameraSpec(eye, focal, _unit(up), fov, name="orbit")


def _look(az_vec: np.ndarray, up: np.ndarray, el_rad: float) -> np.ndarray:
    hz = _unit(_horizontal(az_vec, up))
    return np.cos(el_rad) * hz + np.sin(el_rad) * up


def _elevation(v: np.ndarray, up: np.ndarray) -> float:
    return float(np.arcsin(np.clip(np.dot(_unit(v), up), -1.0, 1.0)))


#: site camera: where the horizon sits (share of the frame height from the bottom), the highest
#: the lander may stand in the frame, and the widest lens
SITE_HORIZON_Y = 0.2
SITE_LANDER_TOP = 0.8
SITE_FOV_MAX = 90.0


def site(ctx: CameraContext) -> CameraSpec:
    """A tripod on the ground ~1 km from the landing point, on the Sun's side, so the incoming
    lander and the ground are lit from behind the camera. Every frame holds the ground, the
    horizon (a fifth up the frame) and the lander (at most four fifths up): a telephoto when the
    lander is low, opening up to 90 deg when it is high; after touchdown the lens pulls back to
    the whole site."""
    s = ctx.state
    tgt = ctx.target_m
    up = _unit(tgt)
    t_end = _end_of_motion_et(ctx.traj)
    end_pos = ctx.traj.at(t_end).pos_m
    base = tgt + _horizontal(end_pos - tgt, up) * 0.5  # between target and where the flight ends
    # the tripod stands between the Sun and the site, so the lander and the ground it looks at are
    # lit from behind the camera (facing the Sun, both would be dark silhouettes on a dark ground)
    away = -_horizontal(ctx.sun_dir, up)
    if np.linalg.norm(away) < 1e-3:  # Sun overhead: stand down-range instead
        away = -heading(ctx.traj, t_end)
    away = _unit(away)
    back_m = float(ctx.options.get("distance_m", 1000.0))
    eye_ground = surface_point(ctx.height_fn, base - away * back_m)
    # the drawn mesh is coarser than the terrain: stand above the highest terrain point nearby so the
    # eye is never under the mesh surface
    eye_up = _unit(eye_ground)
    lift = _terrain_max_nearby(ctx.height_fn, eye_ground, 250.0) - (np.linalg.norm(eye_ground) - MOON_RADIUS_M)
    eye = eye_ground + eye_up * (max(lift, 0.0) + float(ctx.options.get("eye_height_m", 1.7)))
    # and high enough to see over any ridge between the tripod and where the flight ends
    eye = eye + eye_up * _line_of_sight_lift(ctx.height_fn, eye, end_pos + _unit(end_pos) * 1.2)
    to_l = s.pos_m + s.up * 1.2 - eye
    hz = _horizontal(to_l, up)
    if np.linalg.norm(hz) < 1e-3:
        hz = away
    el_l = _elevation(to_l, up)
    d_l = float(np.linalg.norm(to_l))
    # the lens: a telephoto that holds the lander (~7 m of frame) when it is low, but always wide
    # enough for the ground too -- horizon SITE_HORIZON_Y up the frame, the lander at most
    # SITE_LANDER_TOP up -- so the shot never becomes black sky with a speck
    fov_lander = np.degrees(2 * np.arctan(2.3 * 3.0 / max(d_l, 1.0)))
    fov_ground = (np.degrees(el_l) + 1.0) / (SITE_LANDER_TOP - SITE_HORIZON_Y)
    fov = float(ctx.options.get("fov_deg", np.clip(max(fov_lander, fov_ground), 4.0, SITE_FOV_MAX)))
    # after touchdown the lens pulls back (eased, ~7 s) to the whole scene: the dust and the site,
    # and the Earth too when it stands in that part of the sky
    td = ctx.traj.event("touchdown")
    if td is not None and "fov_deg" not in ctx.options and ctx.et_s > td.et_s:
        earth_dir = _unit(ctx.earth_pos_m - eye)
        el_e = _elevation(earth_dir, up)
        off_axis = np.arccos(np.clip(np.dot(_unit(_horizontal(earth_dir, up)), _unit(hz)), -1.0, 1.0))
        # wide enough for the Earth ~4 deg under the top edge if it is ahead, but never a lander lost
        # in a 70 deg view: with the Earth high overhead (more than ~40 deg) or off to the side the
        # lens stops at 30 deg
        need = 2.0 * (np.degrees(el_e) + 4.0) / 1.75
        ahead = np.degrees(off_axis) < 0.5 * need * ctx.aspect - 4.0
        wide = max(fov, float(np.clip(need, 30.0, 50.0)) if (need <= 50.0 and ahead) else 30.0)
        x = min(1.0, (ctx.et_s - td.et_s - 1.0) / 7.0)
        if x > 0.0:
            k = x * x * (3.0 - 2.0 * x)
            fov = float(np.degrees(np.exp((1 - k) * np.log(np.radians(fov)) + k * np.log(np.radians(wide)))))
    half = np.radians(fov) / 2
    # horizon SITE_HORIZON_Y up the frame unless that puts the lander above SITE_LANDER_TOP
    el = max((1.0 - 2.0 * SITE_HORIZON_Y) * half, el_l - (2.0 * SITE_LANDER_TOP - 1.0) * half)
    # from a tripod raised over a ridge the lander may stand below the horizon: never above it
    el = min(el, el_l + (1.0 - 2.0 * SITE_HORIZON_Y) * half)
    look = _look(hz, up, el)
    return CameraSpec(eye, eye + look * 100.0, up, fov, name="site", subject_m=s.pos_m + s.up * 1.2)


#: earthrise: the eye's height over the Moon and how high the Earth's centre stands over the limb (deg)
EARTHRISE_ALT_M = 100e3
EARTHRISE_OVER_LIMB_DEG = 1.6
EARTHRISE_FOV_DEG = 11.0


def earthrise_eye(ctx: CameraContext) -> np.ndarray:
    """Where the earthrise camera flies: ~100 km up (like Kaguya's orbit), over the point on the
    great circle through the lander and the sub-Earth point from which the Earth's centre stands
    :data:`EARTHRISE_OVER_LIMB_DEG` above the lunar limb -- at every instant of any flight."""
    u_l = _unit(ctx.state.pos_m)
    u_e = _unit(ctx.earth_pos_m)
    r = MOON_RADIUS_M + EARTHRISE_ALT_M
    dip = np.arccos(MOON_RADIUS_M / r)
    # from a point at angle theta from the sub-Earth point, the (distant) Earth stands 90 deg - theta high
    theta = np.pi / 2 + dip - np.radians(EARTHRISE_OVER_LIMB_DEG)
    side = u_l - np.dot(u_l, u_e) * u_e
    side = _unit(side) if np.linalg.norm(side) > 1e-6 else _unit(np.cross(u_e, [0.0, 0.0, 1.0]))
    return r * (np.cos(theta) * u_e + np.sin(theta) * side)


def earthrise(ctx: CameraContext) -> CameraSpec:
    """The Earth just above the lunar limb, on the side of the Moon the lander is on (see
    :func:`earthrise_eye`); a short telephoto with the Earth two thirds up the frame."""
    eye = earthrise_eye(ctx)
    up = _unit(eye)
    to_earth = _unit(ctx.earth_pos_m - eye)
    fov = float(ctx.options.get("fov_deg", EARTHRISE_FOV_DEG))
    el = _elevation(to_earth, up) - np.radians(fov) * 0.17
    look = _look(to_earth, up, el)
    return CameraSpec(eye, eye + look * 1000.0, up, fov, hide_lander=True, name="earthrise")


#: the down camera never comes lower than this over the ground (after contact it hovers over the site), m
DOWN_MIN_ALT_M = 30.0


def down(ctx: CameraContext) -> CameraSpec:
    """The lander's view of the ground straight below (lander hidden), with a reticle and the range;
    from contact on it stays :data:`DOWN_MIN_ALT_M` up and shows the lander (or the wreck) below."""
    s = ctx.state
    up = s.up
    eye = s.pos_m - up * 0.2
    ground = surface_point(ctx.height_fn, eye)
    if np.linalg.norm(eye) < np.linalg.norm(ground) + DOWN_MIN_ALT_M:
        eye = ground + up * DOWN_MIN_ALT_M
    f = heading(ctx.traj, ctx.et_s)
    focal = eye - up * 100.0
    hide = float(np.dot(eye - s.pos_m, up)) < 10.0  # shown once the lens hovers well above it
    return CameraSpec(eye, focal, f, float(ctx.options.get("fov_deg", 60.0)), hide_lander=hide, name="down",
                      subject_m=None if hide else s.pos_m + s.up * 1.2)


PRESETS: dict[str, Callable[[CameraContext], CameraSpec]] = {
    "chase": chase, "orbit": orbit, "site": site, "earthrise": earthrise, "down": down,
}
assert tuple(PRESETS) == CAMERA_NAMES, "one preset function per scenario camera name"


def check_camera(name: str, what: str = "camera") -> str:
    """``name`` if it is a camera a still or a video can use (a preset or ``scenario``, the
    scene's keyframed path); else a :class:`RenderError` naming ``what`` (e.g. ``--camera``)."""
    if name not in (*CAMERA_NAMES, "scenario"):
        raise RenderError(f"{what} {shown(name)}: expected one of {', '.join(CAMERA_NAMES)} or scenario")
    return name


def preset(name: str, ctx: CameraContext) -> CameraSpec:
    try:
        fn = PRESETS[name]
    except KeyError:
        raise ScenarioError(f"unknown camera {shown(name)}; expected one of {', '.join(PRESET_NAMES)}") from None
    return fn(ctx)


# ------------------------------------------------------------- interpolation
def _smoothstep(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return x * x * (3 - 2 * x)


def _slerp(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    a, b = _unit(a), _unit(b)
    d = float(np.clip(np.dot(a, b), -1.0, 1.0))
    if d > 0.9999:
        return _unit(a + w * (b - a))
    th = np.arccos(d)
    if th > np.pi - 1e-3:  # opposite: go round via any perpendicular
        perp = _unit(np.cross(a, [0.0, 0.0, 1.0] if abs(a[2]) < 0.9 else [1.0, 0.0, 0.0]))
        return _unit(np.cos(np.pi * w) * a + np.sin(np.pi * w) * perp)
    return (np.sin((1 - w) * th) * a + np.sin(w * th) * b) / np.sin(th)


#: while blending, the subject stays within this share of the half view angle from the view axis
BLEND_SUBJECT_WITHIN = 0.6


def blend(a: CameraSpec, b: CameraSpec, w: float) -> CameraSpec:
    """Camera between ``a`` (w=0) and ``b`` (w=1), eased; smooth for any pair of presets.

    The eye approaches ``b``'s eye along the line from ``a``'s eye with its distance shrinking
    geometrically (a fly-in from 5,700 km to 20 m takes equal time per factor of ten) and a final
    linear approach at the scale of ``b``'s own focal distance; it is lifted radially if that
    line would dip below the lower of the two eyes' altitudes, so it never goes under the
    surface. Viewing direction and view-up are interpolated spherically, the focal distance
    geometrically and the view angle linearly.
    """
    w = _smoothstep(w)
    if w <= 0.0:
        return a
    if w >= 1.0:
        return b
    pa, pb = np.asarray(a.position_m, float), np.asarray(b.position_m, float)
    da, db = a.focal_m - pa, b.focal_m - pb
    la, lb = max(np.linalg.norm(da), 1e-3), max(np.linalg.norm(db), 1e-3)
    gap = pa - pb
    dist = float(np.linalg.norm(gap))
    if dist > 1e-6:
        k = max(dist / max(lb, 1.0), 1.0)
        eye = pb + gap / dist * (dist * (1.0 - w) * k ** (-w))
        floor = MOON_RADIUS_M + 0.9 * min(np.linalg.norm(pa), np.linalg.norm(pb)) - 0.9 * MOON_RADIUS_M
        r = float(np.linalg.norm(eye))
        if r < floor:
            eye = eye / r * floor
    else:
        eye = pa
    look = _slerp(da, b.focal_m - eye, w)  # turn towards b's subject while flying in
    focal = eye + look * (la * (lb / la) ** w)
    up = _slerp(a.up, b.up, w)
    fov = a.view_angle_deg + w * (b.view_angle_deg - a.view_angle_deg)
    hide = a.hide_lander if w < 0.5 else b.hide_lander
    subject = b.subject_m if b.subject_m is not None else a.subject_m
    if subject is not None and not hide:
        # never swing the subject out of the frame: turn towards it as far as needed
        to_s = _unit(np.asarray(subject, float) - eye)
        th = float(np.arccos(np.clip(np.dot(_unit(look), to_s), -1.0, 1.0)))
        lim = BLEND_SUBJECT_WITHIN * np.radians(fov) / 2
        if th > lim:
            look = _slerp(look, to_s, 1.0 - lim / th)
            focal = eye + look * (la * (lb / la) ** w)
    return CameraSpec(eye, focal, up, fov, hide_lander=hide, name=f"{a.name}->{b.name}", subject_m=subject)


@dataclass(frozen=True)
class CameraPath:
    """Presets switched at keyframe times, blended over each keyframe's ``transition_s``.

    ``keyframes`` are the scenario's (:class:`lunarviz.scenario.Keyframe`), in time
    order; ``et_s`` their resolved times.
    """

    keyframes: tuple[Keyframe, ...]
    et_s: tuple[float, ...]

    def spec(self, ctx: CameraContext) -> CameraSpec:
        kfs = self.keyframes
        i = 0
        for k, et in enumerate(self.et_s):
            if et <= ctx.et_s:
                i = k
        cur, et_cur = kfs[i], self.et_s[i]
        spec_cur = preset(cur.camera, replace(ctx, options=cur.options))
        if i == 0 or cur.transition_s <= 0 or ctx.et_s >= et_cur + cur.transition_s:
            return spec_cur
        prev = kfs[i - 1]
        spec_prev = preset(prev.camera, replace(ctx, options=prev.options))
        return blend(spec_prev, spec_cur, (ctx.et_s - et_cur) / cur.transition_s)


def camera_path(render: RenderSettings, traj: Trajectory, *, source: str = "scenario",
                time_fn: Callable[[str], float] | None = None) -> CameraPath | None:
    """The keyframed path of a scenario's ``[render]`` settings on ``traj`` (None without keyframes).

    The keyframes were checked at load (camera names, options, time syntax); what
    can only fail now is a time this flight does not have, reported with the
    keyframe's line as ``scenes/x.toml:131: render.keyframes[2].at: ...``.
    """
    if not render.keyframes:
        return None
    if time_fn is None:
        from .timespec import parse_time_spec

        def time_fn(spec: str) -> float:
            return parse_time_spec(spec, traj)
    timed = []
    for n, kf in enumerate(render.keyframes):
        try:
            timed.append((float(time_fn(kf.at)), n, kf))
        except TimeError as exc:
            where = f"{source}:{kf.line}" if kf.line else source
            raise ScenarioError(f"{where}: render.keyframes[{n}].at: {exc}") from None
    timed.sort(key=lambda x: (x[0], x[1]))
    return CameraPath(tuple(k for _, _, k in timed), tuple(et for et, _, _ in timed))
