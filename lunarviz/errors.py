"""User-facing error types.

Every error a person can cause (a bad scenario file, a time outside kernel
coverage, a missing asset) is raised as a :class:`LunarvizError` subclass whose
message is one self-contained line naming the file, key or value and what was
expected. The CLI prints that line and exits with status 2; it never shows a
traceback for these.
"""


class LunarvizError(Exception):
    """Base class for errors reported to the user as one line."""


class KernelError(LunarvizError):
    """A SPICE kernel is missing, corrupted or does not cover a request."""


class TimeError(LunarvizError):
    """A time string or time specification could not be understood."""


class ScenarioError(LunarvizError):
    """A scenario file is malformed or holds impossible values."""


class AssetError(LunarvizError):
    """A data file is missing, corrupted or cannot be downloaded."""


class RenderError(LunarvizError):
    """Rendering could not start or could not finish (e.g. no OpenGL)."""
