"""Page plumbing shared by every feature: template helpers, the language switch, local redirects
(/healthz is core/health.py)."""

from urllib.parse import urlsplit

import flask
from flask import Blueprint, abort, make_response, redirect, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from basesys.core.api import API_PREFIX
from basesys.core.database import lock_at_begin
from basesys.core.errors import ValidationFailed
from basesys.core.features import registry
from basesys.core.ids import mask_id_number
from basesys.core.inputs import NUL_MESSAGE, IdConverter
from basesys.core.time import hhmm, iso, local_date, to_local

bp = Blueprint("core", __name__)


def local_target(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: the one rule for every `next=` redirect.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so `/%09/evil.example`
    and `/\\evil.example` would leave the site: control characters are refused, and a backslash is
    read as the browser reads it.
    """
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None  # a tab or newline is never part of a real link; in a Location header it is a 500
    seen = target.replace("\\", "/")
    parts = urlsplit(seen)
    if not seen.startswith("/") or seen.startswith("//") or parts.scheme or parts.netloc:
        return None
    return target


@bp.get("/lang/<code>")
def set_language(code: str):
    target = local_target(request.args.get("next")) or url_for("accounts.home")
    response = make_response(redirect(target))
    if code in ("zh", "en"):
        response.set_cookie("lang", code, max_age=60 * 60 * 24 * 365, samesite="Lax", httponly=True)
    return response


def nav_url(endpoint: str, **values) -> str | None:
    """url_for that answers None for an endpoint a feature has not registered (yet)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _fmt_dt(moment, fmt="%Y-%m-%d %H:%M"):
    return "" if moment is None else to_local(moment).strftime(fmt)


def _fmt_hours(value) -> str:
    if value is None:
        return ""
    value = float(value)
    return f"{value:.1f}"


class Request(flask.Request):
    """A multipart part without a name (Content-Disposition: form-data, no name=) is no field: werkzeug
    keeps it under the key None, on which Flask-WTF's CSRF check and every `for key in form` break
    (a 500). It is dropped, as a browser never sends one."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        for name in ("form", "files"):
            parts = self.__dict__.get(name)
            if parts is not None and None in parts:
                self.__dict__[name] = type(parts)((k, v) for k, v in parts.items(multi=True) if k is not None)


def refuse_nul() -> None:
    """No text with NUL reaches a view (PostgreSQL refuses it: a 500): in the path or a page's
    query string it is no real link (404); in a submitted form it is a field error (422). The API
    reads a query only through its model (core.api.parse_model), which names the field (422), so
    an operation answers only what its OpenAPI declaration lists."""
    args = request.args
    if "\x00" in request.path:
        abort(404)
    if not request.path.startswith(API_PREFIX + "/") and any(
        "\x00" in k or any("\x00" in v for v in args.getlist(k)) for k in args
    ):
        abort(404)
    if request.method in ("GET", "HEAD", "OPTIONS") or request.is_json:
        return  # JSON bodies: parse_model names the field
    form = request.form
    bad = {k.replace("\x00", ""): NUL_MESSAGE for k in form if "\x00" in k or any("\x00" in v for v in form.getlist(k))}
    if bad:
        raise ValidationFailed(bad, message="提交的内容包含控制字符（NUL），请删除后重试。")


def init_app(app) -> None:
    # Every `<int:…>` id is 1 … 2³¹−1: a larger one is no row (404), not a driver error. Set before
    # the other features' blueprints are registered (core is registered first).
    app.url_map.converters["int"] = IdConverter
    app.request_class = Request
    app.before_request(refuse_nul)

    @app.before_request
    def _transaction_mode():
        # GET pages read; everything else may write and starts with BEGIN IMMEDIATE on SQLite.
        lock_at_begin(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    @app.context_processor
    def _nav():
        # The top bar lists what the registered features offer this role (base.html holds no list).
        if not current_user or not current_user.is_authenticated:
            return {"nav_entries": []}
        return {"nav_entries": registry().nav_for(current_user.role)}

    app.jinja_env.globals.update(nav_url=nav_url)
    app.jinja_env.filters.update(
        dt=_fmt_dt,
        hhmm=hhmm,
        local_date=lambda m: "" if m is None else local_date(m).isoformat(),
        iso=iso,
        hours=_fmt_hours,
        mask_id=mask_id_number,
    )
