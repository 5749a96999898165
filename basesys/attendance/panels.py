"""Home panels of attendance (declared in feature.py): today's sessions of the admin's base, the trainee's."""

from basesys.accounts.scope import trainee_of
from basesys.attendance import services


def todays_sessions_panel(user, now):
    if not user.base_id:
        return None
    sessions = services.sessions_of_day(user.base_id, now=now)
    if not sessions:
        return None
    counts = {s.id: services.session_counts(s) for s in sessions}
    return {"template": "attendance/panel.html", "today_sessions": sessions, "today_counts": counts, "now": now}


def trainee_today_panel(user, now):
    trainee = trainee_of(user)
    todays = services.trainee_sessions_of_day(trainee.id, now=now) if trainee else []
    if not todays:
        return None
    return {"template": "attendance/panel_trainee.html", "todays": todays}
