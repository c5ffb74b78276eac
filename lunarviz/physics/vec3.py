"""3-vectors as tuples of floats ``(x, y, z)``: the arithmetic of the compiled step.

Tuples cost nothing in numba-compiled code and little in plain Python, where
numpy's per-call overhead on 3-element arrays would dominate.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit


def unit_rows(x: np.ndarray) -> np.ndarray:
    """The rows of an (n, 3) array scaled to unit length (numpy, outside the compiled step)."""
    return x / np.sqrt(np.einsum("ij,ij->i", x, x))[:, None]


def dot_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot products (n,) of two (n, 3) arrays."""
    return np.einsum("ij,ij->i", a, b)


@jit
def add(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


@jit
def sub(a, b):
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


@jit
def scale(a, k):
    return (a[0] * k, a[1] * k, a[2] * k)


@jit
def axpy(k, a, b):
    """``k a + b``."""
    return (k * a[0] + b[0], k * a[1] + b[1], k * a[2] + b[2])


@jit
def dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


@jit
def norm(a):
    return math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])


@jit
def unit(a):
    n = math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
    return (a[0] / n, a[1] / n, a[2] / n)


@jit
def cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


@jit
def row(arr, i):
    """Row ``i`` of an (n, 3) array as a tuple."""
    return (arr[i, 0], arr[i, 1], arr[i, 2])


@jit
def put(arr, i, a):
    """Write tuple ``a`` into row ``i`` of an (n, 3) array."""
    arr[i, 0] = a[0]
    arr[i, 1] = a[1]
    arr[i, 2] = a[2]
