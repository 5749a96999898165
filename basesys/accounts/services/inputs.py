"""Input rules every account service shares: required text fields and the password length."""

from basesys.core.errors import ValidationFailed

MIN_PASSWORD = 8


def require(fields: dict[str, str]) -> None:
    """Refuses (`validation_failed`) any of the named values that is empty or blank."""
    missing = {name: "必填项" for name, value in fields.items() if not (value or "").strip()}
    if missing:
        raise ValidationFailed(missing)


def check_password_strength(password: str, field: str = "password") -> None:
    """Refuses (`validation_failed` on `field`) a password shorter than MIN_PASSWORD."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed({field: f"密码至少 {MIN_PASSWORD} 位"})


def clean(value: str | None) -> str:
    """An optional text field as stored: stripped, never None."""
    return (value or "").strip()
