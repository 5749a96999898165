"""Input rules every account service shares: required text fields and the password length."""

from basesys.core.errors import ValidationFailed
from basesys.core.inputs import check_names

MIN_PASSWORD = 8


def require(fields: dict[str, str]) -> None:
    """Refuses (`validation_failed`) any of the named values (names, usernames, phones) that is empty
    or blank, or holds an invisible or control character (a zero-width space: core.inputs)."""
    missing = {name: "必填项" for name, value in fields.items() if not (value or "").strip()}
    if missing:
        raise ValidationFailed(missing)
    check_names({name: value.strip() for name, value in fields.items()})


def check_password_strength(password: str, field: str = "password") -> None:
    """Refuses (`validation_failed` on `field`) a password shorter than MIN_PASSWORD."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed({field: f"密码至少 {MIN_PASSWORD} 位"})


def clean(value: str | None) -> str:
    """An optional text field as stored: stripped, never None."""
    return (value or "").strip()
