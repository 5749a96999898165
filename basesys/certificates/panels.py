"""Home-page panel: the year's hours (trainee).

Courses ready to finalise appear in the base admin's "courses needing action" panel (rosters), so
there is one list of what a base has to do, not two.
"""

from basesys.accounts.scope import trainee_of
from basesys.certificates import services
from basesys.core.time import local_date


def hours_progress(user, now):
    trainee = trainee_of(user)
    if trainee is None:
        return None
    return {"template": "certificates/panel_hours.html", "hours": services.hours_totals(trainee, local_date(now).year)}
