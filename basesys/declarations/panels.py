"""Home panels: the reviewers' count of declarations waiting for them; the trainee's link to their
declarations (and how many were returned to them)."""

from basesys.accounts.scope import trainee_of
from basesys.declarations import services
from basesys.declarations.models import DeclarationStatus


def waiting_for_review(user, now):
    waiting = services.inbox(user, status=None, page=1).total
    return {"template": "declarations/panel_waiting.html", "waiting": waiting}


def my_declarations(user, now):
    trainee = trainee_of(user)
    if trainee is None:
        return None
    returned = sum(1 for d in services.declarations_of(trainee) if d.status == DeclarationStatus.RETURNED)
    return {"template": "declarations/panel_mine.html", "returned": returned}
