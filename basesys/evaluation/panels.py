"""Panels: the trainee's home page offers the evaluations waiting for them; the course page shows
its base and bureaus the anonymous results in short."""

from flask import g
from flask_login import current_user

from basesys.accounts.scope import trainee_of
from basesys.core.time import now_utc
from basesys.evaluation import services


def waiting_evaluations(user, now):
    trainee = trainee_of(user)
    if trainee is None:
        return None
    courses = services.offered_courses(trainee, now=now)
    if not courses:
        return None
    return {"template": "evaluation/panel_waiting.html", "courses": courses}


def course_results(user, now, course):
    if course.last_ends_at is None or course.last_ends_at > now:
        return None
    return {"template": "evaluation/panel_course.html", "course": course, "summary": services.course_summary(course)}


def evaluation_offers() -> list:
    """A template global: the courses whose evaluation waits for the logged-in trainee, read once a
    request (the "my courses" list includes evaluation/_offers.html)."""
    if "evaluation_offers" not in g:
        panel = waiting_evaluations(current_user, now_utc()) if current_user.is_authenticated else None
        g.evaluation_offers = panel["courses"] if panel else []
    return g.evaluation_offers


def init(app) -> None:
    app.jinja_env.globals["evaluation_offers"] = evaluation_offers
