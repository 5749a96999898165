"""Showing a service's refusal on a form: field errors where they belong, a flash otherwise."""

from flask import flash
from flask_babel import get_locale

from basesys.core.errors import DomainError, ValidationFailed, message_for


def show_refusal(form, error: DomainError) -> None:
    """Attach a refusal to the form it came from (the page re-renders with status 422)."""
    placed = False
    if isinstance(error, ValidationFailed):
        for name, message in error.fields.items():
            field = getattr(form, name.split(".")[0], None) if form is not None else None
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [message]
                placed = True
    if not placed:
        flash(message_for(error, str(get_locale())), "error")
