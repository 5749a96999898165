"""Home-page panels per role: features register a panel; the home page shows them in order.

A panel is a function `(user, now) -> dict | None` returning `{"template": ..., **context}`, or
None when it has nothing to show.
"""

from collections.abc import Callable

HOME_PANELS: dict[str, list[tuple[int, Callable]]] = {}


def home_panel(*roles: str, order: int = 50):
    def decorator(func):
        for role in roles:
            HOME_PANELS.setdefault(role, []).append((order, func))
        return func

    return decorator


def panels_for(user, now) -> list[dict]:
    out = []
    for _order, func in sorted(HOME_PANELS.get(user.role, []), key=lambda item: item[0]):
        panel = func(user, now)
        if panel:
            out.append(panel)
    return out
