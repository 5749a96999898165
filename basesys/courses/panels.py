"""The home page's course panels (declared in courses/feature.py)."""

from basesys.accounts.scope import trainee_of
from basesys.core.time import local_date
from basesys.courses import services
from basesys.courses.models import FILING_STATUSES

PANEL_COURSES = 5  # the trainee's next courses on the home page; the rest under /me/courses


def admin_panel(user, now):
    if user.base_id is None:
        return None
    upcoming = services.sessions_between(user.base_id, local_date(now), 7)
    counts = services.status_counts(user.base_id)
    return {
        "template": "courses/panel_admin.html",
        "counts": counts,
        "upcoming": upcoming[:8],
        "statuses": FILING_STATUSES,
    }


def trainee_panel(user, now):
    trainee = trainee_of(user)
    if trainee is None:
        return None
    mine = services.upcoming_trainee_courses(trainee, now=now, limit=PANEL_COURSES)
    return {"template": "courses/panel_trainee.html", "mine": mine, "now": now}
