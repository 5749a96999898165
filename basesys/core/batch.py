"""Batch decisions (issue 11): many objects decided in one request, each on its own.

Each item runs in its own savepoint: a refused item (not waiting, outside the actor's scope, a rule
of the service) is rolled back alone and reported with its refusal code; the others stay decided
and audited, in the order given. The caller commits once, as for any page or API request.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from basesys.core.errors import DomainError, NotFound
from basesys.extensions import db


@dataclass
class ItemOutcome:
    """One item of a batch: its key, the object (None when not found or outside scope) and the
    refusal that stopped it (None when decided)."""

    key: int
    obj: object | None
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def decide_each(
    keys: Iterable[int], loaded: dict[int, object], decide: Callable[[object], object]
) -> list[ItemOutcome]:
    """`decide(obj)` for each key in order, each in its own savepoint. A key missing from `loaded`
    (unknown, or outside the actor's scope: never said which) is refused `not_found`."""
    outcomes = []
    for key in keys:
        obj = loaded.get(key)
        if obj is None:
            outcomes.append(ItemOutcome(key, None, NotFound()))
            continue
        try:
            with db.session.begin_nested():
                decide(obj)
        except DomainError as error:
            outcomes.append(ItemOutcome(key, obj, error))
        else:
            outcomes.append(ItemOutcome(key, obj))
    return outcomes


def summary_parts(outcomes: list[ItemOutcome]) -> tuple[int, list[ItemOutcome]]:
    """(how many were decided, the refused items) for a page's flash."""
    refused = [o for o in outcomes if not o.ok]
    return len(outcomes) - len(refused), refused
