"""Personal check-in codes (个人签到码, DOMAIN.md §6 "Staff scan"): a signed token naming a trainee.

`K1-<trainee id>-<generation>-<expiry day>-<MAC>`, upper case only, so the QR code is in
alphanumeric mode and stays small (a 25 × 25 module QR code for most ids: readable from a phone
screen at arm's length and from a printed card). The MAC is 80 bits of an HMAC-SHA256 under the
server's secret: codes cannot be guessed or forged, and any app process checks one without state.
The expiry day (days since 1970-01-01, local) is in the token; the generation is compared with the
trainee's current one (renewing increments it and so voids every older code).
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, timedelta

PREFIX = "K1"
MAC_BYTES = 10  # 80 bits → 16 base32 characters
EPOCH = date(1970, 1, 1)
CODE_RE = re.compile(r"^K1-([1-9]\d{0,9})-(\d{1,9})-(\d{1,6})-([A-Z2-7]{16})$")
MAX_LENGTH = 64  # what the API takes as a code; longer is not one of ours


@dataclass(frozen=True)
class PersonalCode:
    trainee_id: int
    generation: int
    expires_on: date  # the first local day the code is refused


class BadCode(ValueError):
    """Not a personal code this server issued (format or MAC)."""


def _mac(secret: str | bytes, body: str) -> str:
    secret = secret.encode() if isinstance(secret, str) else secret
    key = hmac.new(secret, b"basesys-personal-checkin-code-v1", hashlib.sha256).digest()
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()[:MAC_BYTES]
    return base64.b32encode(digest).decode()


def make_code(secret, trainee_id: int, generation: int, expires_on: date) -> str:
    body = f"{PREFIX}-{trainee_id}-{generation}-{(expires_on - EPOCH).days}"
    return f"{body}-{_mac(secret, body)}"


def parse_code(secret, code: str) -> PersonalCode:
    """The code's trainee, generation and expiry day; BadCode when malformed or not signed by us."""
    text = (code or "").strip().upper()
    match = CODE_RE.match(text)
    if match is None:
        raise BadCode("format")
    trainee_id, generation, day, _mac_text = match.groups()
    try:
        expires_on = EPOCH + timedelta(days=int(day))
    except OverflowError:
        raise BadCode("format") from None
    expected = make_code(secret, int(trainee_id), int(generation), expires_on)
    if not hmac.compare_digest(expected.encode(), text.encode()):
        raise BadCode("mac")
    return PersonalCode(int(trainee_id), int(generation), expires_on)
