"""One place that turns refusals and HTTP errors into the API error body or a friendly page."""

import logging

from flask import flash, jsonify, redirect, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from basesys.core.api import API_PREFIX, error_body
from basesys.core.errors import REFUSALS, DomainError, message_for
from basesys.core.observability import request_id
from basesys.extensions import db

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "malformed_body",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "internal_error",
}


_PAGE_MESSAGES = {
    403: "您无权访问此页面。",
    404: "页面不存在，或您无权查看。",
    405: "不支持该请求方法。",
    413: "上传的文件过大。",
}


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX) or request.path == "/api"


def _api_error(code: str, status: int):
    refusal = REFUSALS.get(code)
    message = refusal.zh if refusal else code
    body = {"code": code, "message": message}
    if status >= 500:
        body["request_id"] = request_id()  # what the operator finds in the request's log line
    return jsonify({"error": body}), status


def _page(status: int, message: str, code: str | None = None):
    """The error page: the plain message and, from `code` or the status, what to do next."""
    page = render_template("errors/error.html", status=status, message=message, code=code, request_id=request_id())
    return page, status


def init_app(app) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        if wants_json():
            return jsonify(error_body(error)), error.status
        message = message_for(error, str(get_locale()))
        if request.method == "POST" and request.referrer and error.status < 500:
            flash(message, "error")
            return redirect(request.referrer)
        return _page(error.status, message, error.code)

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        db.session.rollback()
        return _page(400, "页面已过期或来源不明，请刷新后重试。", "csrf")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        if wants_json():
            answer = _api_error(_HTTP_CODES.get(status, "http_error"), status)
        else:
            answer = _page(status, _PAGE_MESSAGES.get(status, error.description or "请求有误。"))
        allow = dict(error.get_headers()).get("Allow")
        return (*answer, {"Allow": allow}) if allow else answer  # 405 says what is allowed

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s (request %s)", request.method, request.path, request_id())
        db.session.rollback()
        if wants_json():
            return _api_error("internal_error", 500)
        return _page(500, "服务器出了点问题，您的操作没有保存。请稍后再试；若一直出现，请联系管理员。")
