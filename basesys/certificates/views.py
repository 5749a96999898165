"""Certificate pages: "my hours" and "my certificates" (trainee), the public verification page,
finalisation preview and the course's certificates (base admin), revocation (base and bureaus)."""

import tempfile

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from basesys.accounts.scope import trainee_of
from basesys.certificates import services
from basesys.certificates.api import pdf_response
from basesys.certificates.forms import FinalizeForm, RevokeForm, VerifyForm
from basesys.certificates.pdf import NotPrintable, hours_statement_pdf, write_certificates_zip
from basesys.certificates.services.queries import (
    can_manage_certificate,
    certificate_pages,
    hours_statement_lines,
    ledger_years,
)
from basesys.core.errors import DomainError
from basesys.core.forms import show_refusal
from basesys.core.ids import mask_name
from basesys.core.time import local_date, now_utc
from basesys.core.web import roles_required
from basesys.courses.access import get_course_for
from basesys.extensions import db

bp = Blueprint("certificates", __name__)

# Importing the panels registers them on the home page.
from basesys.certificates import panels  # noqa: E402,F401


def _year_arg(now) -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else local_date(now).year


# --- trainee ----------------------------------------------------------------------------------


@bp.get("/me/hours")
@roles_required("trainee")
def my_hours():
    now = now_utc()
    trainee = trainee_of(current_user)
    year = _year_arg(now)
    years = sorted({*ledger_years(trainee), local_date(now).year, year}, reverse=True)
    summary = services.hours_summary(trainee, year)
    return render_template("certificates/my_hours.html", summary=summary, years=years, trainee=trainee)


@bp.get("/me/hours.pdf")
@roles_required("trainee")
def my_hours_pdf():
    now = now_utc()
    trainee = trainee_of(current_user)
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
    )
    name = f"hours-{summary.year}.pdf"
    return current_app.response_class(
        data, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/me/certificates")
@roles_required("trainee")
def my_certificates():
    trainee = trainee_of(current_user)
    return render_template("certificates/my_certificates.html", certificates=services.certificates_of(trainee))


@bp.get("/certificates/<number>.pdf")
@login_required
def download(number):
    certificate = services.get_certificate_for(current_user, number)
    try:
        return pdf_response(certificate)
    except NotPrintable as error:
        return render_template("errors/error.html", status=409, message=str(error)), 409


# --- public verification ------------------------------------------------------------------------


@bp.get("/verify")
def verify_form():
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(url_for("certificates.verify_page", number=form.number.data.strip(), c=form.code.data.strip()))
    return render_template("certificates/verify.html", form=form, certificate=None, looked_up=False)


@bp.get("/v/<number>")
def verify_page(number):
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
        ),
        status,
    )


# --- base admin: finalisation and the course's certificates ------------------------------------


@bp.route("/courses/<int:course_id>/finalize", methods=["GET", "POST"])
@roles_required("base_admin")
def finalize(course_id):
    now = now_utc()
    course = get_course_for(current_user, course_id, roles=("base_admin",))
    form = FinalizeForm()
    if form.validate_on_submit():
        try:
            totals = services.finalize_course(course, current_user, now)
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Finalised: %(completed)s completed, %(not_completed)s not completed, %(certificates)s certificates.",  # noqa: E501
                    **totals,
                ),
                "success",
            )
            return redirect(url_for("certificates.course_certificates", course_id=course.id))
    rows = [] if course.finalized else services.preview_course(course)
    return render_template(
        "certificates/finalize.html",
        course=course,
        form=form,
        rows=rows,
        ended=services.has_ended(course, now),
        completers=sum(1 for r in rows if r.completed),
    ), (422 if request.method == "POST" else 200)


@bp.get("/courses/<int:course_id>/certificates")
@roles_required("base_admin", "bureau_officer")
def course_certificates(course_id):
    course = get_course_for(current_user, course_id, roles=("base_admin", "bureau_officer"))
    results = services.course_results(course)
    return render_template(
        "certificates/course_certificates.html",
        course=course,
        results=results,
        totals=services.course_totals(course),
        problems=[r for r in results if r.certificate_problem and r.certificate_id is None],
    )


@bp.get("/courses/<int:course_id>/certificates.zip")
@roles_required("base_admin", "bureau_officer")
def course_zip(course_id):
    course = get_course_for(current_user, course_id, roles=("base_admin", "bureau_officer"))
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


@bp.route("/certificates/<number>/revoke", methods=["GET", "POST"])
@roles_required("base_admin", "bureau_officer")
def revoke(number):
    certificate = services.get_certificate_for(current_user, number, manage=True)
    form = RevokeForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.revoke_certificate(
                certificate, current_user, reason=form.reason.data, now=now_utc(), fraud=form.fraud.data
            )
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("Certificate %(number)s has been revoked.", number=number), "success")
            return redirect(_back_after_revoke(certificate))
    elif request.method == "POST":
        status = 422
    return render_template("certificates/revoke.html", certificate=certificate, form=form), status


def _back_after_revoke(certificate) -> str:
    target = request.args.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("certificates.course_certificates", course_id=certificate.course_id)


@bp.app_template_global()
def can_revoke(certificate) -> bool:
    return current_user.is_authenticated and certificate.is_valid and can_manage_certificate(current_user, certificate)
