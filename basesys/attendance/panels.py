"""Home panels of attendance (declared in feature.py): today's sessions of the admin's base; the
trainee's sessions of today and their personal check-in code (个人签到码, §6 "Staff scan")."""

from basesys.accounts.scope import trainee_of
from basesys.attendance import services
from basesys.attendance.qr import qr_svg
from basesys.core.policy import get_policy
from basesys.core.time import local_today


def todays_sessions_panel(user, now):
    if not user.base_id:
        return None
    sessions = services.sessions_of_day(user.base_id, now=now)
    if not sessions:
        return None
    counts = {s.id: services.session_counts(s) for s in sessions}
    offers = {s.id: services.projector_purpose(s, services.course_policy(s.course), now=now) for s in sessions}
    return {
        "template": "attendance/panel.html",
        "today_sessions": sessions,
        "today_counts": counts,
        "projector_for": offers,
        "now": now,
    }


def trainee_today_panel(user, now):
    """Always shown to a trainee: the personal code is drawn here as inline SVG, so the page keeps
    showing it when the phone goes offline after loading it."""
    trainee = trainee_of(user)
    if trainee is None:
        return None
    todays = services.trainee_sessions_of_day(trainee.id, now=now)
    issued = services.checkin_code(trainee, now=now, policy=get_policy(trainee.bureau_id, local_today(now).year))
    return {
        "template": "attendance/panel_trainee.html",
        "todays": todays,
        "checkin_code": issued,
        "checkin_qr": qr_svg(issued.code),
    }


def course_cards_panel(user, now, course):
    """The course page's 签到卡 link (slot "course"), for its base admin while check-in can still happen."""
    if course.finalized_at is not None:
        return None
    return {"template": "attendance/cards_panel.html", "course": course}
