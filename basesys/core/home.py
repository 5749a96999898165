"""The home page's panels: what the registered features offer the user's role, in order.

A panel is `Panel(func, roles, order)` in a feature's declaration; `func(user, now)` returns
`{"template": ..., **context}`, or None when it has nothing to show.
"""

from basesys.core.features import registry


def panels_for(user, now) -> list[dict]:
    out = []
    for panel in registry().panels_for(user.role):
        shown = panel.func(user, now)
        if shown:
            out.append(shown)
    return out
