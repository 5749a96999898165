"""What the declaration pages share besides their lifecycle (views.py holds the pages): the trainee's
form with its choices, the fields and files it carries, the live preview's outcome, and the query
arguments the pages read (a year, a bureau in scope)."""

from datetime import date

from flask import request

from basesys.accounts.models import Bureau
from basesys.accounts.scope import bureau_subtree_ids, trainee_of
from basesys.core.errors import DomainError, NotFound
from basesys.core.policy import get_policy
from basesys.core.time import local_date
from basesys.declarations import services
from basesys.declarations.forms import DeclarationForm
from basesys.declarations.services import Preview
from basesys.declarations.storage import storage_dir
from basesys.extensions import db


def this_year(now) -> int:
    return local_date(now).year


def year_arg(now) -> int:
    """`?year=`, when it is a year from 2000 to this one; else this year."""
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= this_year(now) else this_year(now)


def me(user):
    """The trainee the logged-in user is (404 for a trainee account without its record)."""
    trainee = trainee_of(user)
    if trainee is None:
        raise NotFound()
    return trainee


def rules_of(trainee, year):
    """The rule set for the trainee's year, as (view, {"rule:option": (rule, option)})."""
    rule_set = services.rules_for_trainee(trainee, year)
    index = {}
    for rule in rule_set.rules if rule_set else ():
        for option in rule.options:
            index[f"{rule.code}:{option.code}"] = (rule, option)
    return rule_set, index


# --- the form ---------------------------------------------------------------------------------


def declaration_form(ctx, declaration=None):
    """The form with its choices: the years (any up to this one), the rules and options of the
    year chosen (posted, else ?year=, else the declaration's), the evidence already attached."""
    trainee = me(ctx.user)
    form = DeclarationForm()
    current = this_year(ctx.now)
    form.year.choices = [(y, str(y)) for y in range(current, current - 3, -1)]
    if declaration is not None and declaration.year not in dict(form.year.choices):
        form.year.choices.append((declaration.year, str(declaration.year)))
    year = request.form.get("year", type=int) or request.args.get("year", type=int)
    if year not in dict(form.year.choices):
        year = declaration.year if declaration is not None else current
    rule_set, index = rules_of(trainee, year)
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


def declaring(ctx) -> dict:
    """What the form factory found for the form (kept apart from the path values the view gets)."""
    return getattr(ctx, "declaring", {})


def max_mb() -> int:
    """The policy's evidence limit, in whole MB, for the form's hint (the service enforces it)."""
    return get_policy().evidence_max_bytes // (1024 * 1024)


def declaration_fields(ctx) -> dict:
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


def store_uploads(ctx, trainee) -> list[int]:
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


# --- the live preview -------------------------------------------------------------------------


def preview_outcome(trainee, year: int) -> tuple[Preview | None, DomainError | None]:
    """The hours the query's values would claim, or the refusal submitting them would meet. For the
    live preview a refusal is the answer (the script shows it in place of the hours), not a failed
    action: the preview writes nothing, so there is nothing to roll back."""
    _rule_set, index = rules_of(trainee, year)
    rule, option = index.get(request.args.get("rule_option", ""), (None, None))
    if rule is None:
        return None, DomainError("rule_unknown")
    try:
        preview = services.preview(
            trainee,
            year=year,
            rule=rule.code,
            option=option.code,
            quantity=_float_arg("quantity"),
            category=request.args.get("category") or None,
            started_on=_date_arg("started_on"),
            ended_on=_date_arg("ended_on"),
        )
    except DomainError as refusal:
        return None, refusal
    return preview, None


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


# --- the rules in force -----------------------------------------------------------------------


def rule_bureaus(user) -> list[Bureau]:
    """The bureaus whose rules the user may read: all for the sysadmin, else its subtree."""
    query = db.select(Bureau).order_by(Bureau.level, Bureau.name)
    if user.role != "sysadmin":
        query = query.where(Bureau.id.in_(bureau_subtree_ids(user.bureau_id) or {-1}))
    return list(db.session.scalars(query))
