"""The value shapes of API.md, as small checkers: `problems(spec, value)` lists every way a value
differs from its documented shape ("" when it matches). Objects list the documented fields only:
API.md allows additions, so extra fields are never a problem; a documented field must be there."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta


class Spec:
    def problems(self, value, path: str) -> list[str]:
        raise NotImplementedError


def problems(spec, value, path: str = "body") -> list[str]:
    """Every mismatch of `value` against `spec` (a Spec, a dict of fields, or a one-item list)."""
    if isinstance(spec, Spec):
        return spec.problems(value, path)
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r:.80}"]
        found = []
        for name, inner in spec.items():
            if name not in value:
                found.append(f"{path}.{name}: missing (documented field)")
            else:
                found += problems(inner, value[name], f"{path}.{name}")
        return found
    if isinstance(spec, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r:.80}"]
        return [p for i, item in enumerate(value) for p in problems(spec[0], item, f"{path}[{i}]")]
    raise TypeError(f"not a spec: {spec!r}")


@dataclass(frozen=True)
class Type(Spec):
    name: str
    types: tuple

    def problems(self, value, path):
        if isinstance(value, bool) and bool not in self.types or not isinstance(value, self.types):
            return [f"{path}: expected {self.name}, got {value!r:.80}"]
        return []


INT = Type("an integer", (int,))
STR = Type("a string", (str,))
BOOL = Type("true/false", (bool,))
NUMBER = Type("a number", (int, float))
OBJECT = Type("an object", (dict,))


@dataclass(frozen=True)
class Nullable(Spec):
    inner: object

    def problems(self, value, path):
        return [] if value is None else problems(self.inner, value, path)


@dataclass(frozen=True)
class OneOf(Spec):
    values: tuple

    def problems(self, value, path):
        return (
            []
            if value in self.values
            else [f"{path}: expected one of {'/'.join(map(str, self.values))}, got {value!r}"]
        )


def one_of(*values) -> OneOf:
    return OneOf(values)


@dataclass(frozen=True)
class Equals(Spec):
    value: object

    def problems(self, value, path):
        return (
            []
            if value == self.value and type(value) is type(self.value)
            else [f"{path}: expected {self.value!r}, got {value!r:.80}"]
        )


@dataclass(frozen=True)
class Matches(Spec):
    regex: str
    what: str

    def problems(self, value, path):
        if isinstance(value, str) and re.fullmatch(self.regex, value):
            return []
        return [f"{path}: expected {self.what}, got {value!r:.80}"]


class _Hours(Spec):
    """Hours are numbers, multiples of 0.5 (API.md "Conventions")."""

    def problems(self, value, path):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (value * 2) % 1:
            return [f"{path}: expected hours (a number, a multiple of 0.5), got {value!r:.80}"]
        return []


class _Datetime(Spec):
    """ISO 8601 with an offset; responses use +08:00 (API.md "Conventions")."""

    def problems(self, value, path):
        if not isinstance(value, str):
            return [f"{path}: expected an ISO 8601 datetime string, got {value!r:.80}"]
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return [f"{path}: not ISO 8601: {value!r}"]
        if parsed.utcoffset() != timedelta(hours=8) or not value.endswith("+08:00"):
            return [f"{path}: responses use the +08:00 offset, got {value!r}"]
        return []


class _Date(Spec):
    def problems(self, value, path):
        try:
            if isinstance(value, str) and date.fromisoformat(value).isoformat() == value:
                return []
        except ValueError:
            pass
        return [f"{path}: expected a YYYY-MM-DD date, got {value!r:.80}"]


HOURS = _Hours()
DATETIME = _Datetime()
DATE = _Date()
MASKED_ID = Matches(r"\d{4}\*{10}[\dX]{4}", "a masked ID number (first 4, last 4: 3704**********1234)")
SNAKE = Matches(r"[a-z]+(_[a-z]+)*", "a snake_case code")
BASE64 = Matches(r"[A-Za-z0-9+/]+={0,2}", "base64")
CHINESE = Matches(r".*[\u4e00-\u9fff].*", "a message in Chinese (中文说明)")

FILING_STATUS = one_of("draft", "submitted", "approved", "returned")
SESSION = {"id": INT, "starts_at": DATETIME, "ends_at": DATETIME, "credit_hours": HOURS}
COURSE = {
    "id": INT,
    "base_id": INT,
    "title": STR,
    "category": one_of("public", "professional"),
    "kind": one_of("course", "advanced_seminar", "lecture", "exchange"),
    "attendance_mode": one_of("in_out", "in_only"),
    "pass_ratio": NUMBER,
    "filing_status": FILING_STATUS,
    "filing_number": Nullable(STR),
    "filing_late": BOOL,
    "planned_days": INT,
    "planned_hours": HOURS,
    "sessions": [SESSION],
    "finalized": BOOL,
}
TOTALS = {"public": HOURS, "professional": HOURS, "total": HOURS}
SIGNED = {"payload": STR, "signature": BASE64}
ROSTER_STATUS = one_of("pending", "submitted", "accepted", "returned", "overdue")
ROSTER = {"status": ROSTER_STATUS, "due_on": DATE, "rows": [OBJECT]}


def with_values(shape: dict, **values) -> dict:
    """The shape, with some fields pinned to exact values."""
    return {**shape, **{name: Equals(value) for name, value in values.items()}}


def error_problems(status: int, body) -> list[str]:
    """API.md "Errors": {"error": {"code": snake_case, "message": 中文说明, "fields": {...}}}, `fields` on 422 only."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return [f"error body: expected {{'error': {{code, message}}}}, got {body!r:.200}"]
    error = body["error"]
    found = problems({"code": SNAKE, "message": STR}, error, "error")
    if isinstance(error.get("message"), str):
        found += problems(CHINESE, error["message"], "error.message")
    if "fields" in error and status != 422:
        found.append(f"error.fields: on 422 only, present on a {status}")
    if "fields" in error and not isinstance(error["fields"], dict):
        found.append(f"error.fields: expected an object, got {error['fields']!r:.80}")
    return found
