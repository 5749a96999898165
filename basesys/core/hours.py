"""Credit hours (学时) are multiples of 0.5: the column type and the one rounding rule."""

import math

from sqlalchemy import Numeric

# Stored exactly (one decimal), read back as float.
Hours = Numeric(6, 1, asdecimal=False)


def floor_to_half(value: float) -> float:
    """Round down to a multiple of 0.5 (DOMAIN.md §3, §7); tolerant of float noise (3.9999999 → 4.0)."""
    return math.floor(value * 2 + 1e-9) / 2
