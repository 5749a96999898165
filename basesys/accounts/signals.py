"""What accounts tell the features above them, which accounts may not import (STYLE.md "Layers run
one way"; as courses.signals).

`trainee_employer_changed` is sent by the service that links a trainee to another employer (or to
none), inside the transaction, after the trainee row changed:
`trainee_employer_changed.send(trainee, old_employer_id=..., new_employer_id=..., actor=..., now=...)`.
Receivers (declarations: a declaration still waiting for the old employer's first review moves to
the new one, DOMAIN.md §11) run synchronously and flush; a `DomainError` they raise rolls back the
change with them. Receivers connect in their feature's `init`, never at import.
"""

from blinker import Namespace

_signals = Namespace()

trainee_employer_changed = _signals.signal("trainee-employer-changed")
