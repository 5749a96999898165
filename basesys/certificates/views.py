"""Certificate pages: "my hours" and "my certificates" (trainee), the public verification page,
finalisation preview and the course's certificates (base admin), revocation (base and bureaus)."""

import tempfile

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from basesys.accounts.scope import trainee_of
from basesys.certificates import services
from basesys.certificates.api import pdf_response
from basesys.certificates.forms import FinalizeForm, RevokeForm, VerifyForm
from basesys.certificates.jobs import finalize_in_chunks
from basesys.certificates.pdf import NotPrintable, hours_statement_pdf, write_certificates_zip
from basesys.certificates.services.outcomes import outcome_counts
from basesys.certificates.services.queries import (
    can_manage_certificate,
    certificate_pages,
    hours_statement_lines,
    ledger_years,
    requirement_note,
)
from basesys.core.home import panels_for
from basesys.core.ids import mask_name
from basesys.core.inputs import bounded_int
from basesys.core.pages import Done, page
from basesys.core.time import local_date
from basesys.core.wechat import in_wechat, pdf_headers
from basesys.courses.access import get_course_for

bp = Blueprint("certificates", __name__)

MANAGERS = ("base_admin", "bureau_officer")
CERTIFICATES_PAGE = 20  # a trainee's certificate cards per page (a phone screen or two)


def _year_arg(now) -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else local_date(now).year


# --- trainee ----------------------------------------------------------------------------------


@page(bp, "/me/hours", roles=("trainee",))
def my_hours(ctx):
    now = ctx.now
    trainee = trainee_of(ctx.user)
    year = _year_arg(now)
    years = sorted({*ledger_years(trainee), local_date(now).year, year}, reverse=True)
    summary = services.hours_summary(trainee, year)
    return render_template(
        "certificates/my_hours.html",
        summary=summary,
        years=years,
        trainee=trainee,
        in_wechat=in_wechat(),
        panels=panels_for(ctx.user, now, "hours", year),  # e.g. the signed annual statement (statements)
    )


@page(bp, "/me/hours.pdf", roles=("trainee",))
def my_hours_pdf(ctx):
    now = ctx.now
    trainee = trainee_of(ctx.user)
    summary = services.hours_summary(trainee, _year_arg(now))
    data = hours_statement_pdf(
        name=trainee.name,
        id_number_masked=trainee.id_number_masked,
        year=summary.year,
        required=summary.required,
        issued=summary.issued,
        recognized=summary.recognized,
        lines=hours_statement_lines(summary),
        printed_on=local_date(now),
        requirement_note=requirement_note(summary),
    )
    return current_app.response_class(
        data, mimetype="application/pdf", headers=pdf_headers(f"hours-{summary.year}.pdf")
    )


def _certificate_year(now, held: list[int]) -> int:
    """`?year=`, else this year, else (nothing this year yet) the latest year the trainee holds any."""
    year = request.args.get("year", type=int)
    if year and 2000 <= year <= 2100:
        return year
    this_year = local_date(now).year
    return this_year if this_year in held or not held else held[0]


@page(bp, "/me/certificates", roles=("trainee",))
def my_certificates(ctx):
    """One year's certificates at a time, latest first, CERTIFICATES_PAGE per page ("更多")."""
    trainee = trainee_of(ctx.user)
    held = services.certificate_years(trainee)
    year = _certificate_year(ctx.now, held)
    after = request.args.get("after", type=bounded_int)
    listed = services.certificates_page(trainee, year, limit=CERTIFICATES_PAGE, after=after)
    return render_template(
        "certificates/my_certificates.html",
        certificates=listed.items,
        next_after=listed.next,
        paged=after is not None,
        year=year,
        years=sorted({*held, local_date(ctx.now).year, year}, reverse=True),
        held=held,
        in_wechat=in_wechat(),
    )


@page(bp, "/certificates/<number>.pdf")
def download(ctx, number):
    certificate = services.get_certificate_for(ctx.user, number)
    try:
        response = pdf_response(certificate, inline=in_wechat())  # WeChat's browser opens only inline PDFs
    except NotPrintable as error:
        return render_template("errors/error.html", status=409, message=str(error)), 409
    response.headers["Vary"] = "User-Agent"
    return response


# --- public verification ------------------------------------------------------------------------


@page(bp, "/verify", public=True)
def verify_form(ctx):
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(url_for("certificates.verify_page", number=form.number.data.strip(), c=form.code.data.strip()))
    return render_template("certificates/verify.html", form=form, certificate=None, looked_up=False)


@page(bp, "/v/<number>", public=True)
def verify_page(ctx, number):
    code = request.args.get("c", "")
    certificate = services.find_certificate(number, code)
    form = VerifyForm(data={"number": number, "code": code})
    status = 200 if certificate is not None else 404
    return (
        render_template(
            "certificates/verify.html",
            form=form,
            certificate=certificate,
            looked_up=True,
            name_masked=mask_name(certificate.holder_name) if certificate else "",
            details=services.verification_details(certificate) if certificate else {},
        ),
        status,
    )


# --- base admin: finalisation and the course's certificates ------------------------------------


def _admin_course(user, course_id: int):
    return get_course_for(user, course_id, roles=("base_admin",))


def _managed_course(user, course_id: int):
    return get_course_for(user, course_id, roles=MANAGERS)


def _finalize_page(ctx, course):
    """The preview (what finalising would give), or the course's state once finalised."""
    rows = [] if course.finalized else services.preview_course(course)
    html = render_template(
        "certificates/finalize.html",
        course=course,
        form=ctx.form,
        rows=rows,
        ended=services.has_ended(course, now=ctx.now),
        completers=sum(1 for r in rows if r.completed),
    )
    return html, (422 if request.method == "POST" else 200)


@page(
    bp,
    "/courses/<int:course_id>/finalize",
    methods=("GET", "POST"),
    roles=("base_admin",),
    load=_admin_course,
    form=FinalizeForm,
    invalid=_finalize_page,
)
def finalize(ctx, course):
    if request.method != "POST":
        return _finalize_page(ctx, course)
    totals = finalize_in_chunks(ctx.user, course, now=ctx.now)
    message = _(
        "Finalised: %(completed)s completed, %(not_completed)s not completed, %(certificates)s certificates.",
        **totals,
    )
    return Done(url_for("certificates.course_certificates", course_id=course.id), message)


@page(bp, "/courses/<int:course_id>/certificates", roles=MANAGERS, load=_managed_course)
def course_certificates(ctx, course):
    results = services.course_results(course)
    return render_template(
        "certificates/course_certificates.html",
        course=course,
        results=results,
        totals=services.course_totals(course),
        outcomes=outcome_counts(course),
        problems=[r for r in results if r.certificate_problem and r.certificate_id is None],
    )


@page(bp, "/courses/<int:course_id>/certificates.zip", roles=MANAGERS, load=_managed_course)
def course_zip(ctx, course):
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- send_file closes it after the response
    try:
        write_certificates_zip(certificate_pages(course, current_app.config["BASE_URL"]), spool)
    except NotPrintable as error:
        spool.close()
        flash(str(error), "error")
        return redirect(url_for("certificates.course_certificates", course_id=course.id))
    spool.seek(0)
    return send_file(
        spool, mimetype="application/zip", as_attachment=True, download_name=f"certificates-course-{course.id}.zip"
    )


# --- revocation (its base, its bureaus) ---------------------------------------------------------


def _revocable(user, number: str):
    return services.get_certificate_for(user, number, manage=True)


def _revoke_page(ctx, certificate):
    return render_template("certificates/revoke.html", certificate=certificate, form=ctx.form)


@page(
    bp,
    "/certificates/<number>/revoke",
    methods=("GET", "POST"),
    roles=MANAGERS,
    load=_revocable,
    form=RevokeForm,
    invalid=_revoke_page,
)
def revoke(ctx, certificate):
    if request.method != "POST":
        return _revoke_page(ctx, certificate)
    form = ctx.form
    services.revoke_certificate(ctx.user, certificate, reason=form.reason.data, now=ctx.now, fraud=form.fraud.data)
    return Done(
        _back_after_revoke(certificate), _("Certificate %(number)s has been revoked.", number=certificate.number)
    )


def _back_after_revoke(certificate) -> str:
    target = request.args.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("certificates.course_certificates", course_id=certificate.course_id)


@bp.app_template_global()
def can_revoke(certificate) -> bool:
    return current_user.is_authenticated and certificate.is_valid and can_manage_certificate(current_user, certificate)
