"""The bureau's workspace pages: courses, certificates and the audit log of its scope, filtered."""

from flask import Blueprint, render_template, request, send_file
from flask_babel import gettext as _

from basesys.accounts.scope import bases_in_scope
from basesys.bureau import audit_export, lists
from basesys.bureau import audit_log as audit_log_query
from basesys.bureau.forms import AuditFilterForm, ListFilterForm
from basesys.certificates.models import CertificateStatus
from basesys.certificates.plan_actual import plan_actual_by_course
from basesys.core.inputs import page_number
from basesys.core.pages import page
from basesys.core.spreadsheet import XLSX_MIMETYPE
from basesys.core.time import local_date
from basesys.courses.models import FilingStatus

bp = Blueprint("bureau", __name__)

STAFF = ("bureau_officer", "sysadmin")
PAGE_SIZE = 50


def _filters(user, status_choices) -> tuple[ListFilterForm, lists.Filters]:
    form = ListFilterForm(request.args)
    form.base.choices = [("", _("All bases"))] + [(b.id, b.name) for b in bases_in_scope(user)]
    form.status.choices = [("", _("All"))] + status_choices
    form.validate()  # a bad date is shown on the form and ignored
    filters = lists.Filters(
        base_id=form.base.data if not form.base.errors else None,
        start=form.start.data if not form.start.errors else None,
        end=form.end.data if not form.end.errors else None,
        status=form.status.data or None,
        q=(form.q.data or "").strip()[:100],
    )
    return form, filters


def _page() -> int:
    return request.args.get("page", 1, type=page_number)


@page(bp, "/bureau/courses", roles=STAFF)
def courses(ctx):
    choices = [
        (FilingStatus.SUBMITTED, _("Waiting for review")),
        (FilingStatus.APPROVED, _("Filed")),
        (FilingStatus.RETURNED, _("Returned")),
    ]
    form, filters = _filters(ctx.user, choices)
    result = lists.courses(ctx.user, ctx.now, filters, _page(), PAGE_SIZE)
    plan = plan_actual_by_course([row[0] for row in result.items])  # four GROUP BYs for the page
    return render_template("bureau/courses.html", form=form, result=result, plan=plan)


@page(bp, "/bureau/certificates", roles=STAFF)
def certificates(ctx):
    choices = [(CertificateStatus.VALID, _("Valid")), (CertificateStatus.REVOKED, _("Revoked"))]
    form, filters = _filters(ctx.user, choices)
    result = lists.certificates(ctx.user, filters, _page(), PAGE_SIZE)
    return render_template("bureau/certificates.html", form=form, result=result)


def _audit_filters(user) -> tuple[AuditFilterForm, audit_log_query.AuditFilters]:
    form = AuditFilterForm(request.args)
    form.base.choices = [("", _("All bases"))] + [(b.id, b.name) for b in bases_in_scope(user)]
    kinds = audit_log_query.subject_kinds()
    form.kind.choices = [("", _("All"))] + kinds
    form.validate()  # a bad date is shown on the form and ignored
    filters = audit_log_query.AuditFilters(
        q=(form.q.data or "").replace("\x00", "").strip()[:100],
        object_type=form.kind.data if form.kind.data in dict(kinds) else None,
        base_id=form.base.data if not form.base.errors else None,
        since=form.start.data if not form.start.errors else None,
        until=form.end.data if not form.end.errors else None,
        actor=(form.actor.data or "").replace("\x00", "").strip()[:64],
    )
    return form, filters


@page(bp, "/bureau/audit", roles=STAFF)
def audit_log(ctx):
    form, filters = _audit_filters(ctx.user)
    result = audit_log_query.audit_page(ctx.user, filters, _page(), PAGE_SIZE)
    return render_template("bureau/audit_log.html", form=form, result=result)


@page(bp, "/bureau/audit.xlsx", roles=STAFF)
def audit_log_xlsx(ctx):
    _form, filters = _audit_filters(ctx.user)
    target = audit_export.export(ctx.user, filters)
    name = f"audit-{local_date(ctx.now).isoformat()}.xlsx"
    return send_file(target, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)
