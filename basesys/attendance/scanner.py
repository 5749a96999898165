"""The base admin's scanner page (DOMAIN.md §6 "Staff scan and offline check-in").

The page reads trainees' personal check-in codes with the device camera (the vendored jsQR) or
takes a typed ID number, queues each scan in the browser (IndexedDB, a UUID and the device's time)
and uploads the queue through `POST /api/v1/sessions/{id}/staff-scans` (API.md): the decision is
the server's, the page only shows it.

Offline: a service worker caches the page and its assets. It is served from
`/attendance/scanner/sw.js`, so its scope (the directory of its own URL) is `/attendance/scanner/`
and covers every scanner page — and nothing else of the site — without a `Service-Worker-Allowed`
header. The view prepends the asset list and a version (a hash of the assets and of the worker) to
`static/js/scanner-sw.js`: any change of an asset is a new worker, which refreshes the cache.

Credentials: the API takes bearer tokens only (core.api exempts it from CSRF), and the cached page
must not carry one. The page asks `/attendance/scanner/<id>/token` — an ordinary logged-in page, for
the base admin of the session's base — for a token right before it uploads and keeps it in memory
only. core.tokens supports no narrower scope than the user, so it is the user's ordinary API token
(API_TOKEN_HOURS, void after a password change); minting it writes nothing. Logged out, or the token
refused (401): the page says "请重新登录后上传" and keeps its queue.
"""

import hashlib
import json
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from basesys.accounts.models import Trainee
from basesys.accounts.tokens import issue_token
from basesys.attendance import personal_codes, services
from basesys.attendance.models import Purpose
from basesys.core.errors import NotFound
from basesys.core.ids import mask_id_number
from basesys.core.pages import page
from basesys.core.time import hhmm, iso
from basesys.courses.access import get_course_for
from basesys.courses.models import CourseSession, Enrollment
from basesys.extensions import db

bp = Blueprint("attendance_scanner", __name__)

SCOPE = "/attendance/scanner/"
# What the service worker caches beside the page, relative to static/.
ASSETS = ("css/app.css", "css/scanner.css", "js/scanner.js", "vendor/jsqr/jsQR.js", "img/favicon.svg")
WORKER = "js/scanner-sw.js"
# Scans per upload: API.md allows 500 a call; 100 keeps one request short on a weak network.
SYNC_BATCH = 100


def _scanned_session(user, session_id: int) -> CourseSession:
    """A session of a course of the admin's own base; 404 outside it (core.pages checks the role)."""
    course_session = db.session.get(CourseSession, session_id)
    if course_session is None:
        raise NotFound()
    get_course_for(user, course_session.course_id, roles=("base_admin",))
    return course_session


def _roster(course_session: CourseSession) -> dict[str, list[str]]:
    """Enrolled trainees by id (the API answers `trainee_id`): name and masked ID, nothing more."""
    rows = db.session.execute(
        db.select(Trainee.id, Trainee.name, Trainee.id_number)
        .join(Enrollment, Enrollment.trainee_id == Trainee.id)
        .where(Enrollment.course_id == course_session.course_id)
    )
    return {str(tid): [name, mask_id_number(number)] for tid, name, number in rows}


def _windows(course_session: CourseSession) -> dict[str, str]:
    policy = services.scan_policy(course_session.course)
    windows = {}
    for purpose in Purpose:
        opens, closes = services.session_window(course_session, purpose, policy)
        windows[str(purpose)] = f"{hhmm(opens)}–{hhmm(closes)}"
    return windows


def scanner_setup(course_session: CourseSession) -> dict:
    """What scanner.js needs, as JSON in the page (so the cached page works offline)."""
    session_id = course_session.id
    here = url_for("attendance_scanner.scanner", session_id=session_id)
    return {
        "session_id": session_id,
        "api_url": f"/api/v1/sessions/{session_id}/staff-scans",
        "token_url": url_for("attendance_scanner.scanner_token", session_id=session_id),
        "login_url": url_for("accounts.login", next=here),
        "worker_url": url_for("attendance_scanner.service_worker"),
        "worker_scope": SCOPE,
        "batch": SYNC_BATCH,
        # The shape of a personal code: the page refuses what is none at once, and names its trainee offline.
        "code_max_length": personal_codes.MAX_LENGTH,
        "code_pattern": personal_codes.CODE_RE.pattern,
        "roster": _roster(course_session),
    }


@page(bp, "/attendance/scanner/<int:session_id>", roles=("base_admin",), load=_scanned_session)
def scanner(ctx, course_session: CourseSession):
    """The scanner page of one session; `?purpose=out` starts on 签退."""
    purpose = request.args.get("purpose", Purpose.IN)
    return render_template(
        "attendance/scanner.html",
        course_session=course_session,
        course=course_session.course,
        purpose=Purpose(purpose) if purpose in tuple(Purpose) else Purpose.IN,
        windows=_windows(course_session),
        setup=scanner_setup(course_session),
    )


@page(bp, "/attendance/scanner/<int:session_id>/token", roles=("base_admin",), load=_scanned_session)
def scanner_token(ctx, course_session: CourseSession):
    """A bearer token for the page's uploads, asked for right before each one (never cached)."""
    token, expires_at = issue_token(ctx.user, ctx.now)
    response = jsonify(token=token, expires_at=iso(expires_at), expires_in=int((expires_at - ctx.now).total_seconds()))
    response.headers["Cache-Control"] = "no-store"
    return response


def _offline_text() -> dict[str, str]:
    return {
        "title": _("Offline"),
        "text": _("Offline: this scanner page is not cached on this device yet. Open it once with a network."),
    }


def worker_source(static_folder: str) -> str:
    """The service worker: its asset list and version, then static/js/scanner-sw.js."""
    root = Path(static_folder)
    digest = hashlib.sha256()
    for name in (*ASSETS, WORKER):
        digest.update(name.encode() + b"\0" + (root / name).read_bytes())
    assets = [url_for("static", filename=name) for name in ASSETS]
    head = (
        f"const SCANNER_VERSION = {json.dumps(digest.hexdigest()[:16])};\n"
        f"const SCANNER_ASSETS = {json.dumps(assets)};\n"
        f"const SCANNER_SCOPE = {json.dumps(SCOPE)};\n"
        f"const SCANNER_OFFLINE = {json.dumps(_offline_text(), ensure_ascii=False)};\n"
    )
    return head + (root / WORKER).read_text(encoding="utf-8")


@page(bp, SCOPE + "sw.js", public=True)
def service_worker(ctx):
    response = current_app.response_class(worker_source(current_app.static_folder), mimetype="text/javascript")
    # The browser checks for a new worker on navigation; never let an HTTP cache answer for it.
    response.headers["Cache-Control"] = "no-cache"
    return response
