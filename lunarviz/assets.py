"""Finding data files: embedded defaults, the user cache, optional downloads.

This is the one place that locates data. :func:`asset_path` looks for a named
asset in three places, in order:

1. **embedded** — the ``assets/`` folder shipped with lunarviz (works offline);
   its SHA-256 hashes are recorded in ``assets/registry.txt``;
2. **user cache** — ``$LUNARVIZ_CACHE`` or ``pooch.os_cache("lunarviz")``;
3. **download** (optional entries only, e.g. NASA's CGI Moon Kit) with pooch,
   from the entry's URL or from ``$LUNARVIZ_DATA_MIRROR/<file name>`` when that
   variable points at a local mirror.

Every file is checked against its SHA-256 before use. Optional downloads whose
hash could not be pinned when lunarviz was released (this project was built on
machines without internet access) are marked ``sha256=None``: they are fetched
only when the caller opts in (``lunarviz assets fetch NAME --no-verify``), and
the hash of what was downloaded is then pinned in the cache (``pins.json``) so
later uses detect corruption (trust on first use).

Examples
--------
>>> from lunarviz.assets import asset_path, load_stars
>>> asset_path("moon_color_2k").name
'moon_color_2k.jpg'
>>> stars = load_stars()
>>> len(stars.ra_deg) > 5000
True
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import AssetError

#: environment variables understood here
ENV_ASSETS = "LUNARVIZ_ASSETS"         # override the embedded assets folder (tests, packagers)
ENV_CACHE = "LUNARVIZ_CACHE"           # user cache folder
ENV_MIRROR = "LUNARVIZ_DATA_MIRROR"    # base URL of a mirror holding the optional files
ENV_OFFLINE = "LUNARVIZ_OFFLINE"       # set to 1 to never download

#: the lander's main-engine nozzle exit centre in the model frame (m; +Z up,
#: origin at the footpad plane); the plume points along -Z from here
LANDER_NOZZLE_EXIT_M = (0.0, 0.0, 0.30)
#: main nozzle exit radius (m)
LANDER_NOZZLE_EXIT_RADIUS_M = 0.13
#: overall size of the lander model (m): height, width across the footpads
LANDER_HEIGHT_M = 2.3
LANDER_WIDTH_M = 2.5


@dataclass(frozen=True)
class AssetEntry:
    """One data file the project knows about.

    ``relpath`` is relative to the embedded ``assets/`` folder (embedded
    entries) or to the cache folder (downloads). ``sha256`` is ``None`` for an
    optional download whose hash is not known yet.
    """

    name: str
    relpath: str
    description: str
    embedded: bool = True
    url: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    licence: str = ""


_EMBEDDED = (
    ("moon_color_2k", "moon/moon_color_2k.jpg", "Moon colour albedo (LROC), 2048x1024, centred on 0 deg longitude"),
    ("moon_color_4k", "moon/moon_color_4k.jpg", "Moon colour albedo (LROC), 4096x2048"),
    ("moon_color_full", "moon/moon_color_full.jpg", "Moon colour albedo (LROC), 11469x5734 as published"),
    ("moon_relief_1k", "moon/moon_relief_1k.jpg",
     "Moon relative elevation (grey = height, unscaled), 1024x512, for global relief shading"),
    ("earth_day_2k", "earth/earth_day_2k.jpg", "Earth day, Blue Marble Next Generation, 2048x1024"),
    ("earth_day_4k", "earth/earth_day_4k.jpg", "Earth day, Blue Marble Next Generation, 4096x2048"),
    ("earth_night_2k", "earth/earth_night_2k.jpg", "Earth night lights, 2048x1024"),
    ("earth_night_4k", "earth/earth_night_4k.jpg", "Earth night lights, 4096x2048"),
    ("stars_mag6", "stars/stars_mag6.npy", "5,044 stars to V=6 (Hipparcos id, RA/Dec J2000, V, B-V)"),
    ("lander", "lander.glb", "HAKUTO-R-like lander model built by scripts/build_lander.py"),
)

#: optional high-resolution downloads (not embedded). Their SHA-256 could not
#: be pinned offline; see the module docstring for the opt-in policy.
_OPTIONAL = (
    AssetEntry(
        "moon_color_cgi_8k", "cgi_moon_kit/lroc_color_poles_8k.tif",
        "NASA SVS CGI Moon Kit LROC colour map with poles, 8192x4096 TIFF",
        embedded=False, url="https://svs.gsfc.nasa.gov/vis/a000000/a004700/a004720/lroc_color_poles_8k.tif",
        licence="NASA, public domain",
    ),
    AssetEntry(
        "moon_color_cgi_16k", "cgi_moon_kit/lroc_color_poles_16k.tif",
        "NASA SVS CGI Moon Kit LROC colour map with poles, 16k TIFF",
        embedded=False, url="https://svs.gsfc.nasa.gov/vis/a000000/a004700/a004720/lroc_color_poles_16k.tif",
        licence="NASA, public domain",
    ),
    AssetEntry(
        "moon_dem_cgi_16ppd", "cgi_moon_kit/ldem_16.tif",
        "NASA SVS CGI Moon Kit LOLA DEM, 16 pixels/degree, float km relative to 1737.4 km",
        embedded=False, url="https://svs.gsfc.nasa.gov/vis/a000000/a004700/a004720/ldem_16.tif",
        licence="NASA, public domain",
    ),
    AssetEntry(
        "moon_dem_cgi_64ppd", "cgi_moon_kit/ldem_64.tif",
        "NASA SVS CGI Moon Kit LOLA DEM, 64 pixels/degree, float km relative to 1737.4 km",
        embedded=False, url="https://svs.gsfc.nasa.gov/vis/a000000/a004700/a004720/ldem_64.tif",
        licence="NASA, public domain",
    ),
)

#: short names other modules use -> the default resolution
ALIASES = {
    "moon_color": "moon_color_4k",
    "earth_day": "earth_day_4k",
    "earth_night": "earth_night_4k",
    "stars": "stars_mag6",
    "lander_model": "lander",
}

#: texture pyramids: (asset name, width in pixels), smallest first
TEXTURE_PYRAMIDS = {
    "moon_color": (("moon_color_2k", 2048), ("moon_color_4k", 4096), ("moon_color_full", 11469)),
    "earth_day": (("earth_day_2k", 2048), ("earth_day_4k", 4096)),
    "earth_night": (("earth_night_2k", 2048), ("earth_night_4k", 4096)),
}


# --------------------------------------------------------------------------
# locations and the hash registry
# --------------------------------------------------------------------------


def assets_dir() -> Path:
    """The embedded assets folder.

    ``$LUNARVIZ_ASSETS`` if set; else the source tree's ``assets/`` (a git
    checkout or an editable install); else ``<prefix>/share/lunarviz/assets``
    (where a wheel's data files are installed).
    """
    env = os.environ.get(ENV_ASSETS)
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[1] / "assets"
    if (here / "registry.txt").is_file():
        return here
    import sys

    for prefix in (sys.prefix, sys.base_prefix):
        installed = Path(prefix) / "share" / "lunarviz" / "assets"
        if (installed / "registry.txt").is_file():
            return installed
    return here


def cache_dir() -> Path:
    """The user cache folder for downloads (``$LUNARVIZ_CACHE`` or pooch's OS cache)."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("lunarviz"))


def read_registry(folder: Path | None = None) -> dict[str, tuple[str, int]]:
    """``{relpath: (sha256, size_bytes)}`` from ``assets/registry.txt``."""
    folder = assets_dir() if folder is None else folder
    path = folder / "registry.txt"
    try:
        text = path.read_text()
    except OSError as exc:
        raise AssetError(f"{path}: cannot read the asset hash registry ({exc.strerror})") from None
    out = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or len(parts[1]) != 64:
            raise AssetError(f"{path}:{lineno}: expected 'relpath sha256 size', got {line!r}")
        out[parts[0]] = (parts[1].lower(), int(parts[2]))
    return out


def registry() -> dict[str, AssetEntry]:
    """All known assets by name: embedded ones (hashes from ``registry.txt``) and optional downloads.

    Files listed in ``registry.txt`` without a name here (e.g. SPICE kernels)
    are included under their relative path (``"kernels/moon_080317.tf"``).
    """
    reg = read_registry()
    entries: dict[str, AssetEntry] = {}
    named = set()
    for name, rel, desc in _EMBEDDED:
        sha, size = reg.get(rel, (None, None))
        entries[name] = AssetEntry(name, rel, desc, True, None, sha, size)
        named.add(rel)
    for rel, (sha, size) in reg.items():
        if rel not in named:
            entries[rel] = AssetEntry(rel, rel, "embedded file", True, None, sha, size)
    for entry in _OPTIONAL:
        entries[entry.name] = entry
    return entries


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


_checked: dict[tuple[str, int, int], str] = {}


def _hash_cached(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _checked:
        _checked[key] = sha256_of(path)
    return _checked[key]


def _pins_path() -> Path:
    return cache_dir() / "pins.json"


def _read_pins() -> dict[str, str]:
    try:
        return json.loads(_pins_path().read_text())
    except (OSError, ValueError):
        return {}


def _write_pin(relpath: str, sha: str) -> None:
    pins = _read_pins()
    pins[relpath] = sha
    path = _pins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(pins, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _expected_hash(entry: AssetEntry) -> str | None:
    return entry.sha256 or _read_pins().get(entry.relpath)


def _lookup(name: str, entries: dict[str, AssetEntry] | None = None) -> AssetEntry:
    entries = registry() if entries is None else entries
    name = ALIASES.get(name, name)
    if name not in entries:
        known = ", ".join(sorted(n for n in entries if "/" not in n))
        raise AssetError(f"unknown asset {name!r}; known assets: {known}")
    return entries[name]


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------


def asset_path(name: str, *, download: bool = False) -> Path:
    """Path to a verified data file by registry name (``moon_color``, ``stars``, ``lander``, ...).

    Looks in the embedded folder, then the user cache; with ``download=True``
    an optional entry with a pinned hash is downloaded if missing (set
    ``LUNARVIZ_OFFLINE=1`` to forbid). Raises :class:`lunarviz.errors.AssetError`
    naming the file and what to do if it is missing or its SHA-256 does not
    match.
    """
    entry = _lookup(name)
    candidates = []
    if entry.embedded:
        candidates.append(assets_dir() / entry.relpath)
    candidates.append(cache_dir() / entry.relpath)
    expected = _expected_hash(entry)
    for path in candidates:
        if path.is_file():
            if expected is None:
                if entry.embedded:
                    raise AssetError(
                        f"{path}: no SHA-256 recorded for this file in {assets_dir() / 'registry.txt'}; "
                        "run scripts/update_asset_registry.py"
                    )
                return path
            actual = _hash_cached(path)
            if actual != expected:
                where = "reinstall lunarviz (or git checkout the file)" if entry.embedded else \
                    f"delete it and run `lunarviz assets fetch {entry.name}`"
                raise AssetError(
                    f"{path}: SHA-256 mismatch for asset {entry.name!r} (got {actual[:16]}..., "
                    f"expected {expected[:16]}...); the file is corrupted or was replaced: {where}"
                )
            return path
    if entry.embedded:
        raise AssetError(
            f"{candidates[0]}: embedded asset {entry.name!r} is missing; reinstall lunarviz "
            f"or put the file in {cache_dir() / entry.relpath}"
        )
    if download:
        return fetch(entry.name)
    raise AssetError(
        f"{candidates[-1]}: optional asset {entry.name!r} is not downloaded; run "
        f"`lunarviz assets fetch {entry.name}`"
    )


def texture_path(kind: str, max_width_px: int = 4096) -> Path:
    """The largest embedded texture of ``kind`` (``moon_color``, ``earth_day``, ``earth_night``)
    not wider than ``max_width_px``."""
    if kind not in TEXTURE_PYRAMIDS:
        raise AssetError(f"unknown texture kind {kind!r}; known: {', '.join(TEXTURE_PYRAMIDS)}")
    levels = TEXTURE_PYRAMIDS[kind]
    chosen = levels[0][0]
    for name, width in levels:
        if width <= max_width_px:
            chosen = name
    return asset_path(chosen)


def download_url(entry: AssetEntry) -> str:
    """The URL an optional entry is fetched from (``$LUNARVIZ_DATA_MIRROR`` wins)."""
    mirror = os.environ.get(ENV_MIRROR)
    if mirror:
        return mirror.rstrip("/") + "/" + Path(entry.relpath).name
    if not entry.url:
        raise AssetError(f"asset {entry.name!r} has no download URL")
    return entry.url


def fetch(name: str, *, allow_unverified: bool = False, progressbar: bool = False,
          entries: dict[str, AssetEntry] | None = None) -> Path:
    """Download an optional asset into the cache (pooch), checking its SHA-256.

    Entries with an unknown hash need ``allow_unverified=True``; the hash of
    the downloaded file is then pinned in the cache's ``pins.json``.
    ``entries`` replaces the registry (tests).
    """
    entry = _lookup(name, entries)
    if entry.embedded:
        return asset_path(entry.name) if entries is None else assets_dir() / entry.relpath
    if os.environ.get(ENV_OFFLINE, "") not in ("", "0"):
        raise AssetError(f"asset {entry.name!r}: downloads are disabled ({ENV_OFFLINE} is set)")
    expected = _expected_hash(entry)
    if expected is None and not allow_unverified:
        raise AssetError(
            f"asset {entry.name!r} has no pinned SHA-256 in this lunarviz release; "
            f"fetch it with `lunarviz assets fetch {entry.name} --no-verify` to trust the download"
        )
    import pooch

    target = cache_dir() / entry.relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    url = download_url(entry)
    try:
        got = pooch.retrieve(
            url, known_hash=f"sha256:{expected}" if expected else None, fname=target.name,
            path=target.parent, progressbar=progressbar,
        )
    except ValueError as exc:  # pooch's hash mismatch
        raise AssetError(f"{url}: downloaded file failed its SHA-256 check for {entry.name!r}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - network errors from requests/urllib come in many types
        raise AssetError(f"{url}: download of {entry.name!r} failed: {type(exc).__name__}: {exc}") from None
    path = Path(got)
    if expected is None:
        _write_pin(entry.relpath, sha256_of(path))
    return path


@dataclass(frozen=True)
class VerifyResult:
    """One line of ``lunarviz assets verify``: ``status`` is ``ok``, ``missing``, ``mismatch`` or ``unregistered``."""

    relpath: str
    status: str
    detail: str = ""


def verify(folder: Path | None = None) -> list[VerifyResult]:
    """Check every embedded file against ``registry.txt``; also report files with no recorded hash."""
    folder = assets_dir() if folder is None else folder
    reg = read_registry(folder)
    results = []
    for rel, (sha, size) in sorted(reg.items()):
        path = folder / rel
        if not path.is_file():
            results.append(VerifyResult(rel, "missing", f"{path} does not exist"))
            continue
        actual = sha256_of(path)
        if actual != sha:
            results.append(VerifyResult(
                rel, "mismatch", f"sha256 {actual} != recorded {sha} (size {path.stat().st_size} vs {size})"))
        else:
            results.append(VerifyResult(rel, "ok"))
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            rel = path.relative_to(folder).as_posix()
            if rel not in reg and rel not in _UNHASHED and not path.name.startswith("."):
                results.append(VerifyResult(rel, "unregistered", "no SHA-256 recorded in registry.txt"))
    return results


#: files in assets/ that are documentation, not data
_UNHASHED = {"registry.txt", "SOURCES.md"}


def write_registry(folder: Path | None = None) -> Path:
    """(Re)write ``registry.txt`` with the hashes of every file now in the assets folder."""
    folder = assets_dir() if folder is None else folder
    lines = ["# relpath sha256 size_bytes -- written by scripts/update_asset_registry.py; "
             "checked by `lunarviz assets verify`"]
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in _UNHASHED and not path.name.startswith("."):
            lines.append(f"{rel} {sha256_of(path)} {path.stat().st_size}")
    out = folder / "registry.txt"
    out.write_text("\n".join(lines) + "\n")
    return out


# --------------------------------------------------------------------------
# loaders
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stars:
    """Star catalogue (J2000, ICRS-aligned): arrays of equal length, brightest first.

    ``bv`` is the B-V colour index with unknown values replaced by 0.65
    (solar-like); ``bv_known`` says which were measured.
    """

    hip: np.ndarray
    ra_deg: np.ndarray
    dec_deg: np.ndarray
    vmag: np.ndarray
    bv: np.ndarray
    bv_known: np.ndarray

    def __len__(self) -> int:
        return int(self.ra_deg.size)

    def unit_vectors(self) -> np.ndarray:
        """(N, 3) unit direction vectors in ``J2000``."""
        ra = np.radians(self.ra_deg)
        dec = np.radians(self.dec_deg)
        return np.stack([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)], -1)

    def rgb(self) -> np.ndarray:
        """(N, 3) approximate sRGB colours in 0..1 from B-V (blue-white to orange-red)."""
        return bv_to_rgb(self.bv)


def bv_to_rgb(bv) -> np.ndarray:
    """Approximate sRGB (0..1) of a star of colour index B-V (piecewise-linear blackbody fit)."""
    bv = np.clip(np.asarray(bv, float), -0.4, 2.0)
    knots = np.array([-0.4, 0.0, 0.4, 0.65, 1.0, 1.5, 2.0])
    r = np.interp(bv, knots, [0.61, 0.80, 1.00, 1.00, 1.00, 1.00, 1.00])
    g = np.interp(bv, knots, [0.70, 0.85, 0.96, 0.93, 0.82, 0.66, 0.52])
    b = np.interp(bv, knots, [1.00, 1.00, 0.92, 0.82, 0.62, 0.38, 0.22])
    return np.stack([r, g, b], -1)


def load_stars(max_vmag: float | None = None) -> Stars:
    """The embedded star catalogue (5,044 stars to V = 6), optionally cut at ``max_vmag``."""
    path = asset_path("stars_mag6")
    return _stars_from(path, max_vmag)


#: the fields of the star catalogue (a structured ``.npy`` array)
STAR_FIELDS = ("hip", "ra_deg", "dec_deg", "vmag", "bv")


def _stars_from(path: Path, max_vmag: float | None) -> Stars:
    """The catalogue in ``path``; a truncated or malformed file is one AssetError."""
    try:
        arr = np.load(path, allow_pickle=False)
        missing = [f for f in STAR_FIELDS if arr.dtype.names is None or f not in arr.dtype.names]
    except (OSError, ValueError, EOFError, TypeError) as exc:
        raise AssetError(f"{path}: cannot read the star catalogue ({str(exc)[:80]}); expected a complete "
                         "structured .npy file: reinstall lunarviz (or git checkout the file)") from None
    if missing or arr.ndim != 1:
        raise AssetError(f"{path}: the star catalogue lacks the fields {', '.join(missing) or '(1-D array)'}; "
                         "expected a structured .npy file: reinstall lunarviz (or git checkout the file)")
    if max_vmag is not None:
        arr = arr[arr["vmag"] <= max_vmag]
    bv = arr["bv"].astype(float)
    known = np.isfinite(bv)

    def ro(a):
        a = np.ascontiguousarray(a)
        a.flags.writeable = False
        return a

    return Stars(
        hip=ro(arr["hip"].astype(np.int64)), ra_deg=ro(arr["ra_deg"].astype(float)),
        dec_deg=ro(arr["dec_deg"].astype(float)), vmag=ro(arr["vmag"].astype(float)),
        bv=ro(np.where(known, bv, 0.65)), bv_known=ro(known),
    )


#: rotation taking glTF's +Y-up world to the model's +Z-up frame: (x, y, z) -> (x, -z, y)
_GLTF_TO_ZUP = np.array([[1.0, 0, 0, 0], [0, 0, -1.0, 0], [0, 1.0, 0, 0], [0, 0, 0, 1.0]])


def load_lander(path: str | os.PathLike | None = None):
    """The lander model as one ``trimesh.Trimesh`` with vertex colours.

    Metres, +Z up (thrust direction), origin at the centre of the footpad
    plane; the main nozzle exit is at :data:`LANDER_NOZZLE_EXIT_M`. The GLB
    itself is stored +Y up as glTF requires; this function rotates it back.
    """
    import trimesh

    p = Path(path) if path is not None else asset_path("lander")
    try:
        mesh = trimesh.load(p, force="mesh", process=False)
    except Exception as exc:  # noqa: BLE001 - trimesh raises many types for bad files
        raise AssetError(f"{p}: cannot load the lander model: {exc}") from None
    mesh.apply_transform(_GLTF_TO_ZUP)
    return mesh


def load_moon_relief() -> np.ndarray:
    """Global relative elevation of the Moon, (512, 1024) float in 0..1 (rows north to south, centred on 0 deg).

    Unscaled grey levels (the source states no height scale): use it for
    bump/normal shading of the global Moon, not for metric heights. Low values
    are low ground (maria, basin floors such as Orientale's), high values
    highlands and rims.
    """
    from PIL import Image

    with Image.open(asset_path("moon_relief_1k")) as im:
        return np.asarray(im.convert("L"), dtype=float) / 255.0


def equirect_uv(lat_deg, lon_deg) -> np.ndarray:
    """Texture coordinates (u, v) of lat/lon in the embedded equirectangular maps.

    The maps are centred on 0 deg longitude (u = 0.5), west at the left, north
    at the top; VTK/pyvista's v runs from the bottom row (v = 0, 90 S) to the
    top row (v = 1, 90 N). Longitude 180 deg maps to u = 0: a mesh whose
    vertices sit on the 180 deg meridian needs a duplicated seam column with
    u = 1 on its east side, or one row of triangles smears the whole map.
    """
    lat = np.asarray(lat_deg, float)
    lon = np.asarray(lon_deg, float)
    u = np.mod(lon + 180.0, 360.0) / 360.0
    v = (lat + 90.0) / 180.0
    return np.stack(np.broadcast_arrays(u, v), -1)


def sample_equirect(image: np.ndarray, lat_deg, lon_deg) -> np.ndarray:
    """Nearest-pixel sample of an equirectangular image array (rows north to south) at lat/lon."""
    img = np.asarray(image)
    h, w = img.shape[:2]
    uv = equirect_uv(lat_deg, lon_deg)
    col = np.clip((uv[..., 0] * w).astype(int), 0, w - 1)
    row = np.clip(((1.0 - uv[..., 1]) * h).astype(int), 0, h - 1)
    return img[row, col]


def describe(entries: Iterable[AssetEntry] | None = None) -> list[str]:
    """Human-readable lines for ``lunarviz assets list``."""
    entries = list(registry().values()) if entries is None else list(entries)
    lines = []
    for e in entries:
        if e.embedded:
            where = assets_dir() / e.relpath
            state = "embedded" if where.is_file() else "MISSING"
        else:
            where = cache_dir() / e.relpath
            state = "cached" if where.is_file() else "not downloaded"
            if _expected_hash(e) is None:
                state += ", hash unknown (needs --no-verify)"
        lines.append(f"{e.name:24s} {state:26s} {e.description}")
    return lines
