"""What calendars add to other pages: the trainee's feed link on the home page, and on a course's
page its calendar, its public feed and (approved, for its base admin) the self-enrolment link."""

from flask import url_for

from basesys.accounts.scope import trainee_of
from basesys.calendars import enrol_link, services
from basesys.calendars.links import absolute, enrol_url, webcal


def trainee_feed_panel(user, now):
    trainee = trainee_of(user)
    if trainee is None:
        return None
    feed = services.get_feed(trainee)
    url = absolute(url_for("calendars.trainee_feed", token=feed.token)) if feed else None
    return {"template": "calendars/panel_feed.html", "feed_url": url, "webcal_url": webcal(url) if url else None}


def _feed_links(course) -> dict:
    if not course.is_approved:
        return {"feed_url": None, "webcal_url": None}
    url = absolute(url_for("calendars.course_feed", course_id=course.id))
    return {"feed_url": url, "webcal_url": webcal(url)}


def course_panel(user, now, course):
    """On the staff's course page: subscribe, the course's calendar, the self-enrolment link."""
    manage = user.role == "base_admin"
    link = enrol_url(course) if manage and course.is_approved else None
    return {
        "template": "calendars/panel_course.html",
        "course": course,
        "manage": manage,
        "enrol_url": link,
        "enrol_qr": enrol_link.qr_svg_inline(link) if link else None,
        **_feed_links(course),
    }


def catalog_panel(user, now, course):
    """On the trainee's catalogue page of an approved course: subscribe to its sessions."""
    links = _feed_links(course)
    if links["feed_url"] is None:
        return None
    return {"template": "calendars/panel_subscribe.html", **links}
