"""What courses tell the features above them, which courses may not import (STYLE.md "Layers run
one way"; Indico's blinker signals).

`course_changed` is sent by `update_course` after an edit changed the course's state, inside the
transaction: `course_changed.send(course, actor=..., before=..., after=..., now=...)` with `before`
and `after` as `courses.state.course_state`. Receivers (filing: a change of an approved course goes
back to the bureau, §4) run synchronously; a `DomainError` they raise reaches the caller of
`update_course`, which rolls back the edit with it. Receivers connect in their feature's `init`,
never at import.
"""

from blinker import Namespace

_signals = Namespace()

course_changed = _signals.signal("course-changed")
