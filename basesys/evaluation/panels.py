"""Panels: the trainee's home page offers the evaluations waiting for them; the course page shows
its base and bureaus the anonymous results in short."""

from basesys.accounts.scope import trainee_of
from basesys.evaluation import services


def waiting_evaluations(user, now):
    trainee = trainee_of(user)
    if trainee is None:
        return None
    courses = services.offered_courses(trainee, now)
    if not courses:
        return None
    return {"template": "evaluation/panel_waiting.html", "courses": courses}


def course_results(user, now, course):
    if course.last_ends_at is None or course.last_ends_at > now:
        return None
    return {"template": "evaluation/panel_course.html", "course": course, "summary": services.course_summary(course)}
