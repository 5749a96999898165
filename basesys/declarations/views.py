"""Declaration pages (DOMAIN.md §11): the trainee's phone-first list, form and detail; the employer
reviewer's and the bureau officer's inbox and review page; the evidence files (scope-checked,
inline, nosniff); the rules in force, read-only."""

from datetime import date

from flask import Blueprint, jsonify, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from basesys.accounts.models import Bureau
from basesys.accounts.scope import bureau_subtree_ids, trainee_of
from basesys.core.errors import DomainError, NotFound, message_for
from basesys.core.inputs import page_number
from basesys.core.pages import Done, page
from basesys.core.policy import get_policy
from basesys.core.time import local_date
from basesys.declarations import services
from basesys.declarations.forms import LABELS, DecisionForm, DeclarationForm, InboxForm, RulesForm
from basesys.declarations.models import DeclarationStatus
from basesys.declarations.services.claims import cap_left
from basesys.declarations.storage import storage_dir
from basesys.extensions import db

bp = Blueprint("declarations", __name__)

TRAINEE = ("trainee",)
REVIEWERS = ("employer_reviewer", "bureau_officer", "sysadmin")
RULE_READERS = ("bureau_officer", "sysadmin")


@bp.context_processor
def _labels() -> dict:
    """The words of statuses, categories, steps and stages, for every page of the blueprint."""
    return LABELS


def _this_year(now) -> int:
    return local_date(now).year


def _year_arg(now) -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= _this_year(now) else _this_year(now)


def _me(user):
    trainee = trainee_of(user)
    if trainee is None:
        raise NotFound()
    return trainee


# --- trainee ----------------------------------------------------------------------------------


@page(bp, "/me/declarations", roles=TRAINEE)
def my_declarations(ctx):
    trainee = _me(ctx.user)
    year = _year_arg(ctx.now)
    declarations = list(services.declarations_of(trainee, year))
    years = sorted({*(range(_this_year(ctx.now) - 4, _this_year(ctx.now) + 1)), year}, reverse=True)
    return render_template("declarations/mine.html", declarations=declarations, year=year, years=years)


def _rules(trainee, year):
    """The rule set for the trainee's year, as (view, {"rule:option": (rule, option)})."""
    rule_set = services.rules_for_trainee(trainee, year)
    index = {}
    for rule in rule_set.rules if rule_set else ():
        for option in rule.options:
            index[f"{rule.code}:{option.code}"] = (rule, option)
    return rule_set, index


def _declaration_form(ctx, declaration=None):
    """The form with its choices: the years (any up to this one), the rules and options of the
    year chosen (posted, else ?year=, else the declaration's), the evidence already attached."""
    trainee = _me(ctx.user)
    form = DeclarationForm()
    this_year = _this_year(ctx.now)
    form.year.choices = [(y, str(y)) for y in range(this_year, this_year - 3, -1)]
    if declaration is not None and declaration.year not in dict(form.year.choices):
        form.year.choices.append((declaration.year, str(declaration.year)))
    year = request.form.get("year", type=int) or request.args.get("year", type=int)
    if year not in dict(form.year.choices):
        year = declaration.year if declaration is not None else this_year
    rule_set, index = _rules(trainee, year)
    form.rule_option.choices = [(key, key) for key in index]
    form.keep_evidence.choices = [(e.id, e.original_name) for e in (declaration.evidence if declaration else [])]
    if request.method == "GET":
        form.year.data = year
        if declaration is not None:
            _prefill(form, declaration)
    ctx.declaring = {"rule_set": rule_set, "index": index, "year": year, "trainee": trainee}
    return form


def _prefill(form, declaration) -> None:
    form.rule_option.data = f"{declaration.rule}:{declaration.option}"
    form.quantity.data = declaration.quantity
    form.category.data = declaration.category if declaration.category in ("public", "professional") else None
    form.started_on.data, form.ended_on.data = declaration.started_on, declaration.ended_on
    form.title.data = declaration.title
    form.keep_evidence.data = [e.id for e in declaration.evidence]


def _declaring(ctx) -> dict:
    """What the form factory found for the form (kept apart from the path values the view gets)."""
    return getattr(ctx, "declaring", {})


def _form_page(ctx, declaration=None, preview=None, status=200):
    """The new declaration's form, or a returned one's detail page with its edit form."""
    if declaration is not None:
        return _detail_page(ctx, declaration, preview=preview, status=status)
    form = ctx.form if isinstance(ctx.form, DeclarationForm) else _declaration_form(ctx)
    return (
        render_template(
            "declarations/new.html",
            form=form,
            preview=preview,
            rule_set=_declaring(ctx).get("rule_set"),
            index=_declaring(ctx).get("index", {}),
            year=_declaring(ctx).get("year"),
            max_mb=_max_mb(),
        ),
        status,
    )


def _max_mb() -> int:
    """The policy's evidence limit, in whole MB, for the form's hint (the service enforces it)."""
    return get_policy().evidence_max_bytes // (1024 * 1024)


def _fields(ctx) -> dict:
    """The declaration's fields from a validated form, for preview / submit / resubmit."""
    form = ctx.form
    rule, option = ctx.declaring["index"].get(form.rule_option.data, (None, None))
    if rule is None:
        raise DomainError("rule_unknown")
    quantity = float(form.quantity.data) if form.quantity.data is not None else 0.0
    return {
        "year": form.year.data,
        "rule": rule.code,
        "option": option.code,
        "quantity": quantity,
        "category": form.category.data or None,
        "started_on": form.started_on.data,
        "ended_on": form.ended_on.data,
    }


def _store_uploads(ctx, trainee) -> list[int]:
    """Stores the files just chosen (each one checked by the service: type by content, size) and
    returns every evidence id the declaration takes: kept ones, earlier round trips', new ones."""
    ids = list(ctx.form.keep_evidence.data or []) + ctx.form.uploaded_ids
    for upload in request.files.getlist(ctx.form.evidence.name):
        if not upload or not upload.filename:
            continue
        evidence = services.store_evidence(
            ctx.user, trainee, data=upload.read(), filename=upload.filename, now=ctx.now, storage_dir=storage_dir()
        )
        ids.append(evidence.id)
    return list(dict.fromkeys(ids))


def _preview_or_submit(ctx, declaration=None):
    """ "计算" (no JS): stores the files chosen so far, commits them (they survive the round trip as
    the trainee's unattached evidence) and shows the hours; "提交": submits or resubmits."""
    trainee = ctx.declaring["trainee"]
    fields = _fields(ctx)
    evidence_ids = _store_uploads(ctx, trainee)
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


@page(bp, "/me/declarations/new", roles=TRAINEE, form=_declaration_form, invalid=lambda ctx: _form_page(ctx))
def new_declaration(ctx):
    return _form_page(ctx)


@page(
    bp,
    "/me/declarations/new",
    methods=("POST",),
    roles=TRAINEE,
    form=_declaration_form,
    invalid=lambda ctx: _form_page(ctx, status=ctx.status),
    endpoint="submit_declaration",
)
def submit_declaration(ctx):
    return _preview_or_submit(ctx)


@page(bp, "/me/declarations/preview", roles=TRAINEE)
def preview(ctx):
    """The form's live preview (JSON, for the small script): the hours claimed and what is left."""
    trainee = _me(ctx.user)
    year = request.args.get("year", type=int) or _this_year(ctx.now)
    if not 2000 <= year <= _this_year(ctx.now):
        year = _this_year(ctx.now)
    _rule_set, index = _rules(trainee, year)
    rule, option = index.get(request.args.get("rule_option", ""), (None, None))
    try:
        if rule is None:
            raise DomainError("rule_unknown")
        result = services.preview(
            trainee,
            year=year,
            rule=rule.code,
            option=option.code,
            quantity=_float_arg("quantity"),
            category=request.args.get("category") or None,
            started_on=_date_arg("started_on"),
            ended_on=_date_arg("ended_on"),
        )
    except DomainError as error:
        return jsonify(code=error.code, message=message_for(error, str(get_locale()))), 422
    return jsonify(
        hours_public=result.hours_public,
        hours_professional=result.hours_professional,
        hours_claimed=result.hours_claimed,
        left_in_cap=result.left_in_cap,
        note=result.note,
    )


def _float_arg(name: str) -> float:
    try:
        value = float(request.args.get(name) or 0)
    except ValueError:
        return 0.0
    return value if 0 <= value <= 10000 else 0.0


def _date_arg(name: str):
    try:
        value = date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None
    return value if 2000 <= value.year <= 2100 else None


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
        form = ctx.form if isinstance(ctx.form, DeclarationForm) else _declaration_form(ctx, declaration)
    return (
        render_template(
            "declarations/detail_mine.html",
            declaration=declaration,
            names=_names(declaration),
            form=form,
            preview=preview,
            rule_set=_declaring(ctx).get("rule_set"),
            index=_declaring(ctx).get("index", {}),
            max_mb=_max_mb(),
        ),
        status,
    )


@page(bp, "/me/declarations/<int:declaration_id>", roles=TRAINEE, load=_my_declaration)
def my_declaration(ctx, declaration):
    return _detail_page(ctx, declaration)


def _resubmit_form(ctx, declaration):
    if declaration.status != DeclarationStatus.RETURNED:
        raise DomainError("wrong_stage")
    return _declaration_form(ctx, declaration)


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


def _rule_bureaus(user) -> list[Bureau]:
    query = db.select(Bureau).order_by(Bureau.level, Bureau.name)
    if user.role != "sysadmin":
        query = query.where(Bureau.id.in_(bureau_subtree_ids(user.bureau_id) or {-1}))
    return list(db.session.scalars(query))


@page(bp, "/declaration-rules", roles=RULE_READERS)
def rules(ctx):
    form = RulesForm(request.args)
    bureaus = _rule_bureaus(ctx.user)
    form.bureau_id.choices = [(b.id, b.name) for b in bureaus]
    wanted = request.args.get("bureau_id", type=int)
    if wanted is not None and wanted not in {b.id for b in bureaus}:
        raise NotFound()
    default = ctx.user.bureau_id if ctx.user.bureau_id else (bureaus[0].id if bureaus else None)
    bureau_id = wanted or default
    year = form.year.data if isinstance(form.year.data, int) and 2000 <= form.year.data <= 2100 else None
    year = year or _this_year(ctx.now)
    form.bureau_id.data, form.year.data = bureau_id, year
    rule_set = services.rules_in_force(bureau_id, year) if bureau_id else None
    return render_template("declarations/rules.html", form=form, rule_set=rule_set, year=year, bureau_id=bureau_id)
