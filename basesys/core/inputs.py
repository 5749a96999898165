"""What every input must be before it reaches the database, whichever door it came in by.

- Ids are 1 … 2³¹−1: PostgreSQL's INTEGER (SQLite's is wider, but the same rule holds on both), so
  a larger number is an unknown id (404 in a path, a field error in a body or form), never a driver
  error.
- Text never holds NUL (PostgreSQL refuses it in any text value).
- A name (of a person, a bureau, a base, a course) holds no invisible or control character: a
  zero-width space makes two names look alike and differ, and a name of only such characters is
  blank.
"""

import unicodedata

from werkzeug.routing import IntegerConverter

from basesys.core.errors import ValidationFailed

DB_INT_MAX = 2**31 - 1

# The years any date the system takes may lie in (sessions, entries, list filters): policy-free
# bounds far from both ends of the calendar, so no date arithmetic or UTC conversion overflows.
MIN_YEAR, MAX_YEAR = 2000, 2100

NUL_MESSAGE = "不能包含控制字符"
YEAR_MESSAGE = f"日期须在 {MIN_YEAR}–{MAX_YEAR} 年之间"
NAME_MESSAGE = "不能包含不可见字符或控制字符"

# Unicode categories no name needs: controls, formats (zero-width space/joiners, word joiner, BOM,
# bidi marks), private use, surrogates, unassigned, line and paragraph separators.
_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def _up_to(limit: int) -> str:
    """A regex of the decimal numbers 1 … limit without leading zeros (no lookups, no converter)."""
    digits = str(limit)
    branches = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        rest = len(digits) - i - 1
        if digit > low:
            upper = chr(ord(digit) - 1)
            span = low if upper == low else f"[{low}-{upper}]"
            branches.append(digits[:i] + span + (rf"\d{{{rest}}}" if rest else ""))
    branches.append(digits)
    return "(?:" + "|".join(branches) + ")"


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: 1 … DB_INT_MAX. The bound is in the regex, so a larger number
    matches no route at all (404; a failing to_python would answer 405 where another method of the
    same path exists)."""

    regex = _up_to(DB_INT_MAX)

    def __init__(self, url_map, fixed_digits=0, min=1, max=DB_INT_MAX, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_id(value) -> int:
    """An id from a form field (WTForms `coerce`): ValueError, so a form error, outside 1 … DB_INT_MAX."""
    number = int(value)
    if not 1 <= number <= DB_INT_MAX:
        raise ValueError("id out of range")
    return number


def optional_db_id(value) -> int | None:
    """As db_id; an empty choice is None."""
    return db_id(value) if value not in (None, "", "None") else None


def bounded_int(value, *, low: int = 1, high: int = DB_INT_MAX) -> int:
    """A query-string number (werkzeug `type=`): ValueError outside low … high, so the default applies."""
    number = int(value)
    if not low <= number <= high:
        raise ValueError("out of range")
    return number


def page_number(value) -> int:
    """`?page=`: 1 … 100000 (more pages than any list has); otherwise the first page."""
    return bounded_int(value, high=100_000)


def in_sane_years(value):
    """WTForms filter of a date or datetime field: ValueError (a form error) outside MIN_YEAR … MAX_YEAR."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(YEAR_MESSAGE)
    return value


def nul_fields(data, prefix: str = "") -> dict[str, str]:
    """{dotted field: message} of every text in a JSON value (keys included) holding a NUL."""
    found: dict[str, str] = {}
    if isinstance(data, str):
        if "\x00" in data:
            found[prefix or "body"] = NUL_MESSAGE
    elif isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if "\x00" in str(key):
                found[name.replace("\x00", "")] = NUL_MESSAGE
            found.update(nul_fields(value, name))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.update(nul_fields(value, f"{prefix}.{index}" if prefix else str(index)))
    return found


def has_invisible(text: str) -> bool:
    return any(unicodedata.category(char) in _INVISIBLE for char in text)


def check_names(fields: dict[str, str | None]) -> None:
    """Refuses (`validation_failed`) any named value holding an invisible or control character."""
    bad = {name: NAME_MESSAGE for name, value in fields.items() if value and has_invisible(value)}
    if bad:
        raise ValidationFailed(bad)
