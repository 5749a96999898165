"""iCalendar (RFC 5545) documents of sessions, for phone calendars (issue 13).

Every event is one session: a UID that never changes (the session's id and the site's host), its
start and end in Asia/Shanghai with TZID and the zone's VTIMEZONE, the course's title as SUMMARY,
its place as LOCATION and the course page as URL. The caller passes the URL maker, so this module
needs no request.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from basesys.core.time import LOCAL_TZ
from basesys.courses.models import CourseSession

PRODID = "-//basesys//继续教育基地管理//ZH"
MIMETYPE = "text/calendar; charset=utf-8"


def session_uid(course_session: CourseSession, base_url: str) -> str:
    return f"course-session-{course_session.id}@{urlsplit(base_url).hostname or 'basesys'}"


def sessions_calendar(
    name: str,
    sessions: Iterable[CourseSession],
    *,
    base_url: str,
    course_url: Callable[[int], str],
    now: datetime,
) -> bytes:
    """The VCALENDAR of the sessions (course loaded), named `name`, stamped `now`."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(LOCAL_TZ))
    for course_session in sessions:
        course = course_session.course
        event = Event()
        event.add("uid", session_uid(course_session, base_url))
        event.add("dtstamp", now)
        event.add("dtstart", course_session.starts_at.astimezone(LOCAL_TZ))
        event.add("dtend", course_session.ends_at.astimezone(LOCAL_TZ))
        event.add("summary", course.title)
        if course_session.title:
            event.add("description", course_session.title)
        if course.location:
            event.add("location", course.location)
        event.add("url", course_url(course.id))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
