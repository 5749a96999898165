"""Declaration pages (DOMAIN.md §11): the trainee's phone-first list, form and detail; the employer
reviewer's and the bureau officer's inbox and review page; the evidence files (scope-checked,
inline, nosniff); the rules in force, read-only. What the pages share besides their lifecycle (the
form's choices and fields, the preview's outcome) is views_declaring's."""

from flask import Blueprint, jsonify, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from basesys.accounts.scope import trainee_of
from basesys.core.errors import DomainError, NotFound, message_for
from basesys.core.inputs import page_number
from basesys.core.pages import Done, page
from basesys.declarations import services
from basesys.declarations.forms import LABELS, DecisionForm, DeclarationForm, InboxForm, RulesForm
from basesys.declarations.models import DeclarationStatus
from basesys.declarations.services.claims import cap_left
from basesys.declarations.storage import storage_dir
from basesys.declarations.views_declaring import (
    declaration_fields,
    declaration_form,
    declaring,
    max_mb,
    me,
    preview_outcome,
    rule_bureaus,
    store_uploads,
    this_year,
    year_arg,
)

bp = Blueprint("declarations", __name__)

TRAINEE = ("trainee",)
REVIEWERS = ("employer_reviewer", "bureau_officer", "sysadmin")
RULE_READERS = ("bureau_officer", "sysadmin")


@bp.context_processor
def _labels() -> dict:
    """The words of statuses, categories, steps and stages, for every page of the blueprint."""
    return LABELS


# --- trainee ----------------------------------------------------------------------------------


@page(bp, "/me/declarations", roles=TRAINEE)
def my_declarations(ctx):
    trainee = me(ctx.user)
    year = year_arg(ctx.now)
    declarations = list(services.declarations_of(trainee, year))
    years = sorted({*(range(this_year(ctx.now) - 4, this_year(ctx.now) + 1)), year}, reverse=True)
    return render_template("declarations/mine.html", declarations=declarations, year=year, years=years)


def _form_page(ctx, declaration=None, preview=None, status=200):
    """The new declaration's form, or a returned one's detail page with its edit form."""
    if declaration is not None:
        return _detail_page(ctx, declaration, preview=preview, status=status)
    form = ctx.form if isinstance(ctx.form, DeclarationForm) else declaration_form(ctx)
    return (
        render_template(
            "declarations/new.html",
            form=form,
            preview=preview,
            rule_set=declaring(ctx).get("rule_set"),
            index=declaring(ctx).get("index", {}),
            year=declaring(ctx).get("year"),
            max_mb=max_mb(),
        ),
        status,
    )


def _preview_or_submit(ctx, declaration=None):
    """ "计算" (no JS): stores the files chosen so far, commits them (they survive the round trip as
    the trainee's unattached evidence) and shows the hours; "提交": submits or resubmits."""
    trainee = ctx.declaring["trainee"]
    fields = declaration_fields(ctx)
    evidence_ids = store_uploads(ctx, trainee)
    if ctx.form.preview.data:
        preview = services.preview(trainee, **fields)
        ctx.form.uploaded.data = ",".join(str(i) for i in evidence_ids if i not in (ctx.form.keep_evidence.data or []))
        return _form_page(ctx, declaration, preview=preview)
    title = ctx.form.title.data.strip()
    if declaration is None:
        declaration = services.submit_declaration(
            ctx.user, trainee, title=title, evidence_ids=evidence_ids, now=ctx.now, **fields
        )
        message = _("Your declaration is submitted.")
    else:
        declaration = services.resubmit_declaration(
            ctx.user, declaration, title=title, evidence_ids=evidence_ids, now=ctx.now, **fields
        )
        message = _("Your declaration is submitted again.")
    return Done(url_for("declarations.my_declaration", declaration_id=declaration.id), message)


@page(bp, "/me/declarations/new", roles=TRAINEE, form=declaration_form, invalid=lambda ctx: _form_page(ctx))
def new_declaration(ctx):
    return _form_page(ctx)


@page(
    bp,
    "/me/declarations/new",
    methods=("POST",),
    roles=TRAINEE,
    form=declaration_form,
    invalid=lambda ctx: _form_page(ctx, status=ctx.status),
    endpoint="submit_declaration",
)
def submit_declaration(ctx):
    return _preview_or_submit(ctx)


@page(bp, "/me/declarations/preview", roles=TRAINEE)
def preview(ctx):
    """The form's live preview (JSON, for the small script): the hours claimed and what is left, or
    (422) the refusal submitting would meet, which the script shows in place of the hours."""
    result, refusal = preview_outcome(me(ctx.user), year_arg(ctx.now))
    if refusal is not None:
        return jsonify(code=refusal.code, message=message_for(refusal, str(get_locale()))), 422
    return jsonify(
        hours_public=result.hours_public,
        hours_professional=result.hours_professional,
        hours_claimed=result.hours_claimed,
        left_in_cap=result.left_in_cap,
        note=result.note,
    )


def _my_declaration(user, declaration_id: int):
    declaration = services.get_declaration_for(user, declaration_id)
    if trainee_of(user) is None or declaration.trainee_id != trainee_of(user).id:
        raise NotFound()
    return declaration


def _rule_of(declaration):
    """The rule and option views a declaration names, from the set in force for its bureau and year
    (None when the set no longer has them: the page shows the codes)."""
    rule_set = services.rules_in_force(declaration.bureau_id, declaration.year)
    rule = next((r for r in (rule_set.rules if rule_set else ()) if r.code == declaration.rule), None)
    option = next((o for o in (rule.options if rule else ()) if o.code == declaration.option), None)
    return rule, option


def _names(declaration) -> tuple[str, str]:
    rule, option = _rule_of(declaration)
    return (rule.name if rule else declaration.rule, option.name if option else declaration.option)


def _detail_page(ctx, declaration, preview=None, status=200):
    editable = declaration.status == DeclarationStatus.RETURNED
    form = None
    if editable:
        form = ctx.form if isinstance(ctx.form, DeclarationForm) else declaration_form(ctx, declaration)
    return (
        render_template(
            "declarations/detail_mine.html",
            declaration=declaration,
            names=_names(declaration),
            form=form,
            preview=preview,
            rule_set=declaring(ctx).get("rule_set"),
            index=declaring(ctx).get("index", {}),
            max_mb=max_mb(),
        ),
        status,
    )


@page(bp, "/me/declarations/<int:declaration_id>", roles=TRAINEE, load=_my_declaration)
def my_declaration(ctx, declaration):
    return _detail_page(ctx, declaration)


def _resubmit_form(ctx, declaration):
    if declaration.status != DeclarationStatus.RETURNED:
        raise DomainError("wrong_stage")
    return declaration_form(ctx, declaration)


@page(
    bp,
    "/me/declarations/<int:declaration_id>",
    methods=("POST",),
    roles=TRAINEE,
    load=_my_declaration,
    form=_resubmit_form,
    invalid=lambda ctx, declaration: _form_page(ctx, declaration, status=ctx.status),
    endpoint="resubmit",
)
def resubmit(ctx, declaration):
    return _preview_or_submit(ctx, declaration)


# --- reviewers --------------------------------------------------------------------------------

PAGE_SIZE = 20


@page(bp, "/declarations/review", roles=REVIEWERS)
def inbox(ctx):
    form = InboxForm(request.args)
    shown = form.status.data if form.status.data in ("waiting", "decided") else "waiting"
    number = request.args.get("page", 1, type=page_number)
    listed = services.inbox(ctx.user, status=None if shown == "waiting" else "decided", page=number)
    return render_template("declarations/inbox.html", form=form, shown=shown, listed=listed)


def _reviewed(user, declaration_id: int):
    return services.get_declaration_for(user, declaration_id)


def _review_page(ctx, declaration, status=200):
    rule, option = _rule_of(declaration)
    # What an approval now grants against: the recognised hours of the year, this one left out (as
    # services.review re-checks it), not the other pending claims.
    left = None
    if rule is not None:
        left = cap_left(declaration.trainee, declaration.year, rule, pending=False, exclude_id=declaration.id)
    form = ctx.form if isinstance(ctx.form, DecisionForm) else DecisionForm()
    page_ = render_template(
        "declarations/review.html",
        declaration=declaration,
        rule=rule,
        option=option,
        left=left,
        form=form,
        can_decide=services.can_decide(ctx.user, declaration),
    )
    return page_, status


@page(bp, "/declarations/<int:declaration_id>", roles=REVIEWERS, load=_reviewed)
def review(ctx, declaration):
    return _review_page(ctx, declaration)


@page(
    bp,
    "/declarations/<int:declaration_id>/decision",
    methods=("POST",),
    roles=REVIEWERS,
    load=_reviewed,
    form=DecisionForm,
    invalid=lambda ctx, declaration: _review_page(ctx, declaration, ctx.status),
)
def decide(ctx, declaration):
    decision = ctx.form.decision.data
    services.decide_declaration(
        ctx.user, declaration, decision=decision, comment=(ctx.form.comment.data or "").strip(), now=ctx.now
    )
    message = _("The declaration is approved.") if decision == "approve" else _("The declaration is returned.")
    return Done(url_for("declarations.inbox"), message)


# --- evidence ---------------------------------------------------------------------------------


@page(bp, "/evidence/<int:evidence_id>")
def evidence(ctx, evidence_id):
    """The file for its trainee and the reviewers of its declaration (404 for anyone else):
    inline (a phone opens a PDF or an image in place), typed by its sniffed content, nosniff."""
    item = services.get_evidence_for(ctx.user, evidence_id)
    path = services.evidence_path(item, storage_dir())
    if not path.is_file():
        raise NotFound()
    response = send_file(path, mimetype=item.media_type, as_attachment=False, conditional=True, etag=item.sha256)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# --- rules in force ---------------------------------------------------------------------------


@page(bp, "/declaration-rules", roles=RULE_READERS)
def rules(ctx):
    form = RulesForm(request.args)
    bureaus = rule_bureaus(ctx.user)
    form.bureau_id.choices = [(b.id, b.name) for b in bureaus]
    wanted = request.args.get("bureau_id", type=int)
    if wanted is not None and wanted not in {b.id for b in bureaus}:
        raise NotFound()
    default = ctx.user.bureau_id if ctx.user.bureau_id else (bureaus[0].id if bureaus else None)
    bureau_id = wanted or default
    year = form.year.data if isinstance(form.year.data, int) and 2000 <= form.year.data <= 2100 else None
    year = year or this_year(ctx.now)
    form.bureau_id.data, form.year.data = bureau_id, year
    rule_set = services.rules_in_force(bureau_id, year) if bureau_id else None
    return render_template("declarations/rules.html", form=form, rule_set=rule_set, year=year, bureau_id=bureau_id)
