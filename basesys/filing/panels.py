"""The filing section of the course page (slot "course"): its history from the audit log, why it
was returned, and what a change filing changes since the last approval."""

from basesys.courses.models import FilingStatus
from basesys.filing.history import FilingAction, filing_history
from basesys.filing.services import changes_since_approval


def course_panel(user, now, course) -> dict:
    history = filing_history(course)
    returned = [step for step in history if step.action == FilingAction.RETURNED]
    return {
        "template": "filing/panel_course.html",
        "course": course,
        "history": history,
        "returned": returned[-1] if returned else None,
        "changes": changes_since_approval(course) if course.filing_status == FilingStatus.SUBMITTED else None,
    }
