"""lunarviz.formatting: the one UTC and L-minus text (whole seconds, truncated, HH:MM:SS)."""

from __future__ import annotations

import math

from lunarviz import timebase
from lunarviz.formatting import format_l_minus, format_utc

PLANNED = timebase.utc_to_et("2025-06-05T19:17:00")


def test_l_minus_counts_whole_seconds_without_showing_one_twice():
    assert format_l_minus(PLANNED - 105.4, PLANNED) == "L-00:01:46"
    assert format_l_minus(PLANNED - 105.0, PLANNED) == "L-00:01:45"
    assert format_l_minus(PLANNED - 104.9999999, PLANNED) == "L-00:01:45"  # float noise at a boundary
    assert format_l_minus(PLANNED - 0.2, PLANNED) == "L-00:00:01"
    assert format_l_minus(PLANNED, PLANNED) == "L+00:00:00"
    assert format_l_minus(PLANNED + 0.999, PLANNED) == "L+00:00:00"
    assert format_l_minus(PLANNED + 10.0, PLANNED) == "L+00:00:10"
    assert format_l_minus(PLANNED - 3725.0, PLANNED) == "L-01:02:05"
    assert format_l_minus(100.0, math.nan) == ""
    texts = [format_l_minus(PLANNED + 0.25 * i, PLANNED) for i in range(-12, 12)]
    assert len(set(texts)) == 6  # 24 quarter-seconds over 6 whole seconds: each shown once, in a row


def test_utc_truncates_to_the_second_like_the_l_minus():
    assert format_utc(PLANNED) == "2025-06-05 19:17:00 UTC"
    assert format_utc(PLANNED - 105.4) == "2025-06-05 19:15:14 UTC"   # 19:15:14.6: truncated
    assert format_utc(PLANNED - 105.0) == "2025-06-05 19:15:15 UTC"
    assert format_utc(PLANNED + 0.9) == "2025-06-05 19:17:00 UTC"
