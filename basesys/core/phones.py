"""Phone numbers as people type them in China: a mainland mobile or a landline with its area code.

Shared by every feature that takes a phone (the enrolment import and form; registration may use
it too). Spaces are ignored; a mobile may carry +86 and hyphens between its groups (138-1234-5678);
a landline is 0 + a 2–3 digit area code, an optional hyphen (or the code in brackets), 7–8 digits
and an optional extension (-123, 转123, #123)."""

import re

MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
LANDLINE = re.compile(r"(?:0\d{2,3}-?|\(0\d{2,3}\)|（0\d{2,3}）)\d{7,8}(?:(?:-|转|#|ext\.?|x)\d{1,6})?", re.IGNORECASE)
PHONE_MESSAGE = "应为 11 位手机号码（如 13812345678）或带区号的固定电话（如 0632-1234567）"


def is_phone(value: str) -> bool:
    """A mainland mobile or landline number (see the module docstring)."""
    text = re.sub(r"\s+", "", value or "")
    return bool(MOBILE.fullmatch(text.replace("-", "")) or LANDLINE.fullmatch(text))


def phone_problem(value: str | None) -> str | None:
    """Why a given phone is not one (None when it is, or when it is empty: where a phone is
    optional, an empty one is not a problem)."""
    if not (value or "").strip():
        return None
    return None if is_phone(value) else PHONE_MESSAGE
