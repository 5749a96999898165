"""The home page's panels: what the registered features offer the user's role, in order.

A panel is `Panel(func, roles, order)` in a feature's declaration; `func(user, now)` returns
`{"template": ..., **context}`, or None when it has nothing to show.
"""

from basesys.core.features import registry


def panels_for(user, now, slot: str = "home", *args) -> list[dict]:
    """The panels of `slot` for the user's role that have something to show (args: the page's object)."""
    out = []
    for panel in registry().panels_for(user.role, slot):
        shown = panel.func(user, now, *args)
        if shown:
            out.append(shown)
    return out
