"""The absolute URLs calendars hands out: to phones (feeds), posters and chat messages (the
enrolment link). BASE_URL, not the request's host, which may be a proxy's."""

from flask import current_app, url_for

from basesys.courses.models import Course


def absolute(path: str) -> str:
    """BASE_URL and the path."""
    return current_app.config["BASE_URL"] + path


def webcal(url: str) -> str:
    """The same feed for "subscribe" in phone calendars: webcal:// opens the calendar app."""
    return "webcal://" + url.split("://", 1)[-1]


def course_page_url(course_id: int) -> str:
    """A feed event's URL: the course's catalogue page, where its trainees read it."""
    return absolute(url_for("courses.catalog_course", course_id=course_id))


def enrol_url(course: Course) -> str:
    """The self-enrolment link: the same catalogue page, where a trainee enrols."""
    return absolute(url_for("courses.catalog_course", course_id=course.id))
