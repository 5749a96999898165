"""Account pages: login, registration, home, password; sysadmin lists of bureaus, bases, staff.

Every page goes through `core.pages.page` (load, 404, form validation, one service, one commit).
"""

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from basesys.accounts import admin_lists, services
from basesys.accounts.forms import (
    BaseForm,
    BureauForm,
    IssueLoginCodeForm,
    LoginCodeForm,
    LoginForm,
    PasswordForm,
    RegisterForm,
    SetPasswordForm,
    StaffForm,
)
from basesys.accounts.models import Base, Bureau, BureauLevel, Employer, Role, User
from basesys.accounts.scope import trainee_of
from basesys.accounts.transactions import reads_first
from basesys.core.api import API_PREFIX
from basesys.core.errors import DomainError
from basesys.core.forms import show_refusal
from basesys.core.home import panels_for
from basesys.core.inputs import page_number
from basesys.core.jobs import JobRun
from basesys.core.pages import Done, page
from basesys.core.policy import get_policy
from basesys.core.web import local_target
from basesys.extensions import db

bp = Blueprint("accounts", __name__)

SYSADMIN = (Role.SYSADMIN.value,)
STAFF = (Role.BASE_ADMIN.value, Role.BUREAU_OFFICER.value, Role.SYSADMIN.value)
GET_POST = ("GET", "POST")
# The session's note that it began with a one-time login code and owes a new password: read by
# every request without a database read (which would open SQLite's write lock too early for the
# endpoints that read first); the account's `must_change_password` is what the services trust.
OWES_PASSWORD = "basesys_owes_password"
# What a user who logged in with a one-time login code may open before setting a new password.
BEFORE_NEW_PASSWORD = frozenset(
    {"static", "accounts.set_password", "accounts.logout", "accounts.login", "accounts.login_with_code"}
    | {"core.set_language", "health.healthz"}
)


def _next_or_home() -> str:
    """Where to go after logging in: a local `next`, never another site."""
    return local_target(request.args.get("next")) or url_for("accounts.home")


def _also_at(rule: str, view, **defaults) -> None:
    """A second address for a page (`.../new` for its edit page), with the path values it lacks."""
    bp.add_url_rule(rule, view.__name__, view, methods=list(GET_POST), defaults=defaults)


def _with_choices(form, **choices):
    for name, options in choices.items():
        getattr(form, name).choices = options
    return form


# --- login, registration, own account -----------------------------------------------------------


def _render_login(ctx, *, code_form=None):
    """The login page: the password form, and the one-time login code form (open when it is the one shown)."""
    return render_template(
        "accounts/login.html",
        form=ctx.form if code_form is None else LoginForm(formdata=None),
        code_form=code_form or LoginCodeForm(formdata=None),
        code_open=code_form is not None,
    )


def _login_refused(ctx, refusal: DomainError, **forms):
    """The refused attempt is already in the transaction; the lifecycle commits it (lockout counts it)."""
    show_refusal(ctx.form, refusal)
    return _render_login(ctx, **forms), (422 if refusal.status == 401 else refusal.status)


@page(bp, "/login", GET_POST, public=True, form=LoginForm, invalid=_render_login)
def login(ctx):
    if not ctx.form.is_submitted():
        return redirect(_next_or_home()) if ctx.user is not None else _render_login(ctx)
    form = ctx.form
    address = request.remote_addr or ""
    outcome = services.log_in(form.username.data, form.password.data, address=address, now=ctx.now, policy=get_policy())
    if outcome.refusal is not None:
        return _login_refused(ctx, outcome.refusal)
    login_user(outcome.user, remember=bool(form.remember.data))
    session.pop(OWES_PASSWORD, None)
    return Done(_next_or_home())


def _render_login_code(ctx):
    return _render_login(ctx, code_form=ctx.form)


@page(bp, "/login/code", GET_POST, public=True, form=LoginCodeForm, invalid=_render_login_code)
def login_with_code(ctx):
    """The login page's "使用一次性登录码" form; then a new password before anything else."""
    if not ctx.form.is_submitted():
        return redirect(_next_or_home()) if ctx.user is not None else _render_login_code(ctx)
    form, address = ctx.form, request.remote_addr or ""
    outcome = services.log_in_with_code(
        form.id_number.data, form.code.data, address=address, now=ctx.now, policy=get_policy()
    )
    if outcome.refusal is not None:
        return _login_refused(ctx, outcome.refusal, code_form=ctx.form)
    # Not remembered beyond this browser session: the note below lives in it. The new password's
    # login is remembered (set_password).
    login_user(outcome.user, remember=False)
    session[OWES_PASSWORD] = True
    return Done(url_for("accounts.set_password", next=local_target(request.args.get("next"))))


@bp.before_app_request
def _new_password_first():
    """After a login with a one-time login code every page waits until a new password is set
    (the JSON API answers as usual: its token says `must_change_password`)."""
    if not session.get(OWES_PASSWORD) or request.endpoint in BEFORE_NEW_PASSWORD:
        return None
    if request.path.startswith(API_PREFIX + "/"):
        return None
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("accounts.set_password", next=local_target(back)))


@page(bp, "/logout", ("POST",), public=True)
def logout(ctx):
    logout_user()
    session.pop(OWES_PASSWORD, None)
    return Done(url_for("accounts.login"), _("You have logged out."), "info")


def _register_form(ctx):
    bureaus = db.session.scalars(
        db.select(Bureau)
        .options(joinedload(Bureau.parent))
        .where(Bureau.level.in_([BureauLevel.CITY, BureauLevel.COUNTY]))
    )
    places = sorted(((b.place_name, b.id) for b in bureaus), key=lambda pair: pair[0])
    return _with_choices(RegisterForm(), bureau_id=[(None, "—")] + [(bid, place) for place, bid in places])


def _render_register(ctx):
    # Arriving from a scan (/q/…): the check-in waits for the registration (attendance.scan_page).
    pending_scan = (local_target(request.args.get("next")) or "").startswith("/q/")
    return render_template("accounts/register.html", form=ctx.form, pending_scan=pending_scan)


@page(bp, "/register", GET_POST, public=True, form=_register_form, invalid=_render_register)
def register(ctx):
    if not ctx.form.is_submitted():
        return _render_register(ctx)
    fields = ("id_number", "name", "password", "phone", "employer", "series", "title", "bureau_id")
    fields += ("employer_credit_code",)
    values = {name: getattr(ctx.form, name).data for name in fields}
    trainee = services.register_trainee(**values, now=ctx.now)
    login_user(trainee.user, remember=True)
    return Done(_next_or_home(), _("Welcome! Your account is ready."))


@page(bp, "/")
def home(ctx):
    jobs = db.session.scalars(db.select(JobRun).order_by(JobRun.name)).all() if ctx.user.role == Role.SYSADMIN else []
    panels = panels_for(ctx.user, ctx.now)
    return render_template("accounts/home.html", panels=panels, trainee=trainee_of(ctx.user), jobs=jobs)


def _render_password(ctx):
    return render_template("accounts/password.html", form=ctx.form)


@page(bp, "/account/password", GET_POST, form=PasswordForm, invalid=_render_password)
def change_password(ctx):
    if not ctx.form.is_submitted():
        return _render_password(ctx)
    user = current_user._get_current_object()
    services.change_password(user, ctx.form.current_password.data, ctx.form.new_password.data, now=ctx.now)
    login_user(user, remember=user.role == Role.TRAINEE)  # a new session for the new generation
    return Done(url_for("accounts.home"), _("Your password has been changed. Other devices have been logged out."))


def _render_set_password(ctx):
    return render_template("accounts/set_password.html", form=ctx.form)


@page(bp, "/account/set-password", GET_POST, form=SetPasswordForm, invalid=_render_set_password)
def set_password(ctx):
    """The new password owed after a login with a one-time login code; then where the trainee was going."""
    if not ctx.user.must_change_password:  # set meanwhile (another device, the API), or never owed
        session.pop(OWES_PASSWORD, None)
        return redirect(_next_or_home() if not ctx.form.is_submitted() else url_for("accounts.change_password"))
    if not ctx.form.is_submitted():
        return _render_set_password(ctx)
    user = current_user._get_current_object()
    services.change_password(user, "", ctx.form.new_password.data, now=ctx.now)
    login_user(user, remember=True)  # a new session for the new generation
    session.pop(OWES_PASSWORD, None)
    return Done(_next_or_home(), _("Your new password is set. Use it from now on."))


def _render_issued(ctx, issued=None):
    """The code, big, with its expiry: shown once, never stored, never cached."""
    back = local_target(ctx.form.back.data) or url_for("accounts.home")
    html = render_template("accounts/login_code.html", issued=issued, back=back, form=ctx.form)
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


@page(bp, "/login-codes", ("POST",), roles=STAFF, form=IssueLoginCodeForm, invalid=_render_issued)
def issue_login_code(ctx):
    form = ctx.form
    issued = services.issue_login_code(
        ctx.user, trainee_id=form.trainee_id.data, id_number=form.id_number.data, now=ctx.now, policy=get_policy()
    )
    return _render_issued(ctx, issued)


# --- sysadmin -----------------------------------------------------------------------------------


def _bureau_choices(exclude: int | None = None):
    return [(None, "—")] + [(b.id, "　" * depth + b.name) for b, depth in services.bureau_tree() if b.id != exclude]


def _existing_or_new(model):
    """The loader of an edit page that also creates: the row of the path's id (404), or None at `.../new`."""

    def load(user, **path):
        (object_id,) = path.values()
        return db.get_or_404(model, object_id) if object_id else None

    return load


def _edit(ctx, obj, render, create, update, fields: tuple[str, ...], list_endpoint: str):
    """A sysadmin edit page: GET shows the form filled from `obj`; POST creates it (None) or updates it."""
    if not ctx.form.is_submitted():
        ctx.form.process(obj=obj)
        return render(ctx, obj)
    values = {name: getattr(ctx.form, name).data for name in fields}
    if obj is None:
        create(ctx.user, **values, now=ctx.now)
    else:
        update(ctx.user, obj, **values, now=ctx.now)
    return Done(url_for(list_endpoint), _("Saved."))


@page(bp, "/admin/bureaus", roles=SYSADMIN)
def bureaus(ctx):
    return render_template("accounts/admin/bureaus.html", tree=services.bureau_tree())


def _bureau_form(ctx, bureau):
    return _with_choices(BureauForm(), parent_id=_bureau_choices(exclude=bureau.id if bureau else None))


def _render_bureau(ctx, bureau):
    return render_template("accounts/admin/bureau_form.html", form=ctx.form, bureau=bureau)


@page(
    bp, "/admin/bureaus/<int:bureau_id>/edit", GET_POST, roles=SYSADMIN,
    load=_existing_or_new(Bureau), form=_bureau_form, invalid=_render_bureau,
)  # fmt: skip
def edit_bureau(ctx, bureau):
    fields = ("name", "level", "parent_id")
    return _edit(
        ctx, bureau, _render_bureau, services.create_bureau, services.update_bureau, fields, "accounts.bureaus"
    )


_also_at("/admin/bureaus/new", edit_bureau, bureau_id=None)


@page(bp, "/admin/bases", roles=SYSADMIN)
def bases(ctx):
    q = request.args.get("q", "")[:100]
    listed = admin_lists.bases_page(q, request.args.get("page", 1, type=page_number))
    return render_template("accounts/admin/bases.html", bases=listed.items, listed=listed, q=q)


def _base_form(ctx, base):
    return _with_choices(BaseForm(), bureau_id=_bureau_choices())


def _render_base(ctx, base):
    return render_template("accounts/admin/base_form.html", form=ctx.form, base=base)


@page(
    bp, "/admin/bases/<int:base_id>/edit", GET_POST, roles=SYSADMIN,
    load=_existing_or_new(Base), form=_base_form, invalid=_render_base,
)  # fmt: skip
def edit_base(ctx, base):
    fields = ("name", "level", "credit_code", "bureau_id", "address")
    return _edit(ctx, base, _render_base, services.create_base, services.update_base, fields, "accounts.bases")


_also_at("/admin/bases/new", edit_base, base_id=None)


@page(bp, "/admin/users", roles=SYSADMIN)
def users(ctx):
    q = request.args.get("q", "")[:100]
    listed = admin_lists.staff_page(q, request.args.get("page", 1, type=page_number))
    return render_template("accounts/admin/users.html", users=listed.items, listed=listed, q=q)


def _staff_form(ctx, user):
    all_bases = db.session.scalars(db.select(Base).order_by(Base.name))
    bases_choices = [(None, "—")] + [(b.id, b.name) for b in all_bases]
    employers = db.session.scalars(db.select(Employer).order_by(Employer.name))
    employer_choices = [(None, "—")] + [(e.id, f"{e.name}（{e.credit_code}）") for e in employers]
    return _with_choices(StaffForm(), bureau_id=_bureau_choices(), base_id=bases_choices, employer_id=employer_choices)


def _render_staff(ctx, user):
    return render_template("accounts/admin/user_form.html", form=ctx.form, user=user)


@page(
    bp, "/admin/users/<int:user_id>/edit", GET_POST, roles=SYSADMIN,
    load=_existing_or_new(User), form=_staff_form, invalid=_render_staff,
)  # fmt: skip
def edit_user(ctx, user):
    if user is not None and user.role == Role.TRAINEE:
        return redirect(url_for("accounts.users"))  # trainees are not staff accounts
    if not ctx.form.is_submitted():
        ctx.form.process(obj=user)
        return _render_staff(ctx, user)
    form = ctx.form
    common = {
        name: getattr(form, name).data for name in ("role", "bureau_id", "base_id", "employer_id", "display_name")
    }
    password = form.password.data or ""
    if user is None:
        services.create_staff_user(ctx.user, username=form.username.data, password=password, **common, now=ctx.now)
    else:
        services.update_staff_user(
            ctx.user, user, active=form.active.data, new_password=password, **common, now=ctx.now
        )
    return Done(url_for("accounts.users"), _("Saved."))


_also_at("/admin/users/new", edit_user, user_id=None)

# They hash passwords: outside SQLite's write lock (accounts/transactions.py).
reads_first(bp, "login", "register", "change_password", "edit_user", "set_password", "login_with_code")
