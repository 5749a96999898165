"""Stateless rotating check-in codes (DOMAIN.md §6): an HMAC of (session, purpose, time step).

Nothing is stored: any number of app processes that share SECRET_KEY issue and accept the same
codes. A QR token carries its session, purpose and step in clear plus a 96-bit MAC; the numeric
fallback code is 6 digits derived from the same key (like TOTP), checked by recomputing it.

Steps: step = ⌊unix time / period⌋. The current and the previous step are accepted, so a token
shown at the start of step N is good until the end of step N+1: `expires_at` is the start of
step N+2 (at most two periods, at least one after it was shown).
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

PURPOSE_LETTERS = {"in": "i", "out": "o"}
LETTER_PURPOSES = {v: k for k, v in PURPOSE_LETTERS.items()}
CODE_DIGITS = 6
MAC_CHARS = 16  # 96 bits, base64url
TOKEN_RE = re.compile(r"^([1-9]\d{0,11})([io])(\d{1,12})\.([A-Za-z0-9_-]{16})$")


@dataclass(frozen=True)
class QrToken:
    session_id: int
    purpose: str
    step: int


class BadToken(ValueError):
    """Not a token this server issued (format or MAC)."""


def _key(secret: str | bytes) -> bytes:
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"basesys-qr-v1", hashlib.sha256).digest()


def _mac(secret, message: str) -> bytes:
    return hmac.new(_key(secret), message.encode(), hashlib.sha256).digest()


def current_step(now: datetime, period_seconds: int) -> int:
    return int(now.timestamp()) // period_seconds


def step_start(step: int, period_seconds: int) -> datetime:
    return datetime.fromtimestamp(step * period_seconds, UTC)


def expires_at(step: int, period_seconds: int) -> datetime:
    """The first instant a token of `step` is refused: it is still the previous step until then."""
    return step_start(step + 2, period_seconds)


def make_token(secret, session_id: int, purpose: str, step: int) -> str:
    letter = PURPOSE_LETTERS[purpose]
    body = f"{session_id}{letter}{step}"
    mac = base64.urlsafe_b64encode(_mac(secret, "t:" + body)).decode()[:MAC_CHARS]
    return f"{body}.{mac}"


def parse_token(secret, token: str) -> QrToken:
    """The token's session, purpose and step; BadToken when malformed or not signed by us."""
    match = TOKEN_RE.match(token or "")
    if match is None:
        raise BadToken("format")
    session_id, letter, step, mac = match.groups()
    expected = make_token(secret, int(session_id), LETTER_PURPOSES[letter], int(step))
    if not hmac.compare_digest(expected.encode(), token.encode()):
        raise BadToken("mac")
    return QrToken(int(session_id), LETTER_PURPOSES[letter], int(step))


def numeric_code(secret, session_id: int, purpose: str, step: int) -> str:
    digest = _mac(secret, f"c:{session_id}:{purpose}:{step}")
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def match_code(secret, session_id: int, code: str, step: int, lookback: int) -> tuple[str, int] | None:
    """(purpose, step) of a numeric code among the steps `step`, `step-1`, … `step-lookback`."""
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == CODE_DIGITS):
        return None
    for candidate in range(step, step - lookback - 1, -1):
        for purpose in ("in", "out"):
            if hmac.compare_digest(numeric_code(secret, session_id, purpose, candidate), code):
                return purpose, candidate
    return None
