"""Home-page panels: courses ready to finalise (base admin) and the year's hours (trainee)."""

from basesys.accounts.scope import trainee_of
from basesys.certificates import services
from basesys.core.home import home_panel
from basesys.core.time import local_date


@home_panel("base_admin", order=30)
def ready_to_finalize(user, now):
    if not user.base_id:
        return None
    courses = services.courses_ready_to_finalize(user.base_id, now)
    if not courses:
        return None
    return {"template": "certificates/panel_finalize.html", "ready_courses": courses}


@home_panel("trainee", order=30)
def hours_progress(user, now):
    trainee = trainee_of(user)
    if trainee is None:
        return None
    return {"template": "certificates/panel_hours.html", "hours": services.hours_summary(trainee, local_date(now).year)}
