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


def summary(outcomes: list[ItemOutcome], messages: tuple, label: Callable[[object], str]) -> tuple[str, str]:
    """A page's flash and its category: "已通过 3 项，1 项未处理：《…》（该课程当前不在待审核状态…）".
    `messages` are the (lazy) texts for "all decided" (`%(n)s`) and "some not" (`%(n)s`, `%(m)s`,
    `%(items)s`); `label(obj)` names an item the actor may see, an item not found is named by its id."""
    refused = [o for o in outcomes if not o.ok]
    decided = len(outcomes) - len(refused)
    if not refused:
        return str(messages[0]) % {"n": decided}, "success"
    items = "；".join(
        f"{label(o.obj) if o.obj is not None else '#' + str(o.key)}（{o.error.message}）" for o in refused
    )
    return str(messages[1]) % {"n": decided, "m": len(refused), "items": items}, "warning"
