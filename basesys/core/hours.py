"""Credit hours (学时) are multiples of 0.5: the column type and the one rounding rule."""

import math

from sqlalchemy import Numeric

# Stored exactly (one decimal), read back as float.
Hours = Numeric(6, 1, asdecimal=False)


def floor_to_half(value: float) -> float:
    """Round down to a multiple of 0.5 (DOMAIN.md §3, §7); tolerant of float noise (3.9999999 → 4.0)."""
    return math.floor(value * 2 + 1e-9) / 2


def hours_text(value) -> str:
    """学时 as printed in a column: always one decimal (4 → "4.0", 4.5 → "4.5"), so a column of hours
    does not mix "4" and "4.5" (issue 15); None reads as 0."""
    return f"{float(value or 0):.1f}"
