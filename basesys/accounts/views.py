"""Account pages: login, registration, home, password; sysadmin lists of bureaus, bases, staff."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from basesys.accounts import services
from basesys.accounts.forms import BaseForm, BureauForm, LoginForm, PasswordForm, ProfileForm, RegisterForm, StaffForm
from basesys.accounts.models import Base, Bureau, User
from basesys.accounts.scope import trainee_of
from basesys.core.errors import DomainError
from basesys.core.forms import show_refusal
from basesys.core.home import panels_for
from basesys.core.jobs import JobRun
from basesys.core.policy import get_policy
from basesys.core.time import now_utc
from basesys.core.web import roles_required
from basesys.extensions import db

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.username.data,
                form.password.data,
                address=request.remote_addr or "",
                now=now_utc(),
                policy=get_policy(),
            )
        except DomainError as error:
            db.session.commit()  # keep the failed attempt: it counts toward the lockout
            show_refusal(form, error)
            status = error.status if error.status != 401 else 422
        else:
            db.session.commit()
            login_user(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


def _city_choices():
    bureaus = db.session.scalars(
        db.select(Bureau).where(Bureau.level.in_(["city", "county"])).order_by(Bureau.name)
    ).all()
    return [(None, "—")] + [(b.id, b.name) for b in bureaus]


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    form.bureau_id.choices = _city_choices()
    status = 200
    if form.validate_on_submit():
        try:
            trainee = services.register_trainee(
                id_number=form.id_number.data,
                name=form.name.data,
                password=form.password.data,
                phone=form.phone.data,
                employer=form.employer.data,
                series=form.series.data,
                title=form.title.data,
                bureau_id=form.bureau_id.data,
                now=now_utc(),
            )
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
            status = 422 if error.status != 409 else 409
        else:
            db.session.commit()
            login_user(trainee.user, remember=True)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/register.html", form=form), status


@bp.get("/")
@login_required
def home():
    now = now_utc()
    return render_template(
        "accounts/home.html",
        panels=panels_for(current_user, now),
        trainee=trainee_of(current_user),
        jobs=_jobs_for(current_user),
    )


def _jobs_for(user):
    if user.role != "sysadmin":
        return []
    return db.session.scalars(db.select(JobRun).order_by(JobRun.name)).all()


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.old_password.data, form.new_password.data, now=now_utc())
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
            status = 422
        else:
            db.session.commit()
            login_user(current_user._get_current_object(), remember=current_user.role == "trainee")  # new session id
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("accounts.home"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/password.html", form=form), status


@bp.route("/account/profile", methods=["GET", "POST"])
@roles_required("trainee")
def profile():
    trainee = trainee_of(current_user)
    form = ProfileForm(obj=trainee)
    if form.validate_on_submit():
        try:
            services.update_trainee_profile(
                current_user,
                trainee,
                phone=form.phone.data,
                employer=form.employer.data,
                series=form.series.data,
                title=form.title.data,
                now=now_utc(),
            )
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, trainee=trainee)


# --- sysadmin ---------------------------------------------------------------------------------


@bp.get("/admin/bureaus")
@roles_required("sysadmin")
def bureaus():
    return render_template("accounts/admin/bureaus.html", tree=services.bureau_tree())


def _bureau_choices(exclude: int | None = None):
    return [(None, "—")] + [(b.id, "　" * depth + b.name) for b, depth in services.bureau_tree() if b.id != exclude]


@bp.route("/admin/bureaus/new", methods=["GET", "POST"], defaults={"bureau_id": None})
@bp.route("/admin/bureaus/<int:bureau_id>/edit", methods=["GET", "POST"])
@roles_required("sysadmin")
def edit_bureau(bureau_id):
    bureau = db.get_or_404(Bureau, bureau_id) if bureau_id else None
    form = BureauForm(obj=bureau)
    form.parent_id.choices = _bureau_choices(exclude=bureau_id)
    if form.validate_on_submit():
        values = dict(name=form.name.data, level=form.level.data, parent_id=form.parent_id.data, now=now_utc())
        return _save(
            form,
            "accounts.bureaus",
            lambda: (
                services.update_bureau(current_user, bureau, **values)
                if bureau
                else services.create_bureau(current_user, **values)
            ),
            "accounts/admin/bureau_form.html",
            bureau=bureau,
        )
    return render_template("accounts/admin/bureau_form.html", form=form, bureau=bureau)


def _save(form, list_endpoint, operation, template, **context):
    """Run one service for a sysadmin form; commit, or show its refusal on the form."""
    try:
        operation()
    except DomainError as error:
        db.session.rollback()
        show_refusal(form, error)
        return render_template(template, form=form, **context), 422
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(list_endpoint))


@bp.get("/admin/bases")
@roles_required("sysadmin")
def bases():
    rows = db.session.scalars(db.select(Base).order_by(Base.name)).all()
    return render_template("accounts/admin/bases.html", bases=rows)


@bp.route("/admin/bases/new", methods=["GET", "POST"], defaults={"base_id": None})
@bp.route("/admin/bases/<int:base_id>/edit", methods=["GET", "POST"])
@roles_required("sysadmin")
def edit_base(base_id):
    base = db.get_or_404(Base, base_id) if base_id else None
    form = BaseForm(obj=base)
    form.bureau_id.choices = _bureau_choices()
    if form.validate_on_submit():
        values = dict(
            name=form.name.data,
            level=form.level.data,
            credit_code=form.credit_code.data,
            bureau_id=form.bureau_id.data,
            address=form.address.data,
            now=now_utc(),
        )
        return _save(
            form,
            "accounts.bases",
            lambda: (
                services.update_base(current_user, base, **values)
                if base
                else services.create_base(current_user, **values)
            ),
            "accounts/admin/base_form.html",
            base=base,
        )
    return render_template("accounts/admin/base_form.html", form=form, base=base)


@bp.get("/admin/users")
@roles_required("sysadmin")
def users():
    rows = db.session.scalars(db.select(User).where(User.role != "trainee").order_by(User.role, User.username)).all()
    return render_template("accounts/admin/users.html", users=rows)


@bp.route("/admin/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required("sysadmin")
def edit_user(user_id):
    user = db.get_or_404(User, user_id) if user_id else None
    if user is not None and user.role == "trainee":
        return redirect(url_for("accounts.users"))
    form = StaffForm(obj=user)
    form.bureau_id.choices = _bureau_choices()
    form.base_id.choices = [(None, "—")] + [
        (b.id, b.name) for b in db.session.scalars(db.select(Base).order_by(Base.name))
    ]
    if form.validate_on_submit():
        common = dict(
            role=form.role.data,
            bureau_id=form.bureau_id.data,
            base_id=form.base_id.data,
            display_name=form.display_name.data,
            now=now_utc(),
        )
        if user is None:

            def op():
                return services.create_staff_user(
                    current_user, username=form.username.data, password=form.password.data or "", **common
                )
        else:

            def op():
                return services.update_staff_user(
                    current_user, user, active=form.active.data, new_password=form.password.data or "", **common
                )

        return _save(form, "accounts.users", op, "accounts/admin/user_form.html", user=user)
    return render_template("accounts/admin/user_form.html", form=form, user=user)
