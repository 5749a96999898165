"""The 学时证明 button on the trainee's hours page (certificates' "hours" panel slot)."""


def statement_button(user, now, year: int) -> dict:
    return {"template": "statements/hours_button.html", "statement_year": year}
