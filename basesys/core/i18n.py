"""Templates' gettext, looked up once per request.

Flask-Babel's Jinja callables find the request's translations on every call (context, locale,
cache key): a list page of 50 rows calls `_()` some 400 times, and that lookup was a tenth of the
page's time. These callables keep the request's translations on `flask.g` (same catalog, same
locale selection; outside a request they fall back to Flask-Babel's own)."""

from flask import g, has_request_context
from flask_babel import get_translations


def _translations():
    if not has_request_context():
        return get_translations()
    found = g.get("_gettext_translations")
    if found is None:
        found = g._gettext_translations = get_translations()
    return found


def install_request_gettext(app) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
