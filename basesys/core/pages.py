"""One lifecycle for every page, mirroring `api_endpoint` (STYLE.md "A request, end to end").

    @page(bp, "/courses/<int:course_id>/enrollments", methods=("POST",), roles=("base_admin",),
          load=get_managed_course, form=EnrollForm, invalid=render_detail_with)
    def enroll(ctx, course):
        enrollment = services.enroll_trainee(ctx.user, course, id_number=ctx.form.id_number.data, now=ctx.now)
        return Done(url_for("courses.course_detail", course_id=course.id), _("%(name)s is enrolled.", ...))

The wrapper, in order:
1. login (a logged-out visitor goes to the login page and comes back), role (403);
2. `load(user, **path)` returns the object or raises NotFound (404 outside the actor's scope);
3. on POST, validates `form`: invalid input calls `invalid(ctx, obj)` (the page re-rendered, 422);
4. calls the view, which calls ONE service with `ctx.user` and `ctx.now`;
5. commits once (non-GET, or a GET declared `writes`), then flashes `Done.message` and redirects to `Done.url`.
A `DomainError` from the service rolls back everything; with a form its field errors are put on
the form and `invalid(ctx, obj)` re-renders with the error's status; without one it is flashed on
the page the user came from (core.errors_web). No view repeats that try / except / commit.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, request
from flask_login import current_user

from basesys.core.errors import DomainError
from basesys.core.forms import show_refusal
from basesys.core.time import now_utc
from basesys.extensions import db, login_manager


@dataclass
class Done:
    """A page action succeeded: where to go next and what to tell the user, once committed."""

    url: str
    message: str | None = None
    category: str = "success"


@dataclass
class PageContext:
    """What a view gets besides its object: the actor, the request's instant, the validated form."""

    user: object
    now: datetime
    form: object = None
    error: DomainError | None = None  # the refusal being shown, for `invalid` renderers
    values: dict = field(default_factory=dict)  # path values not consumed by `load`

    @property
    def status(self) -> int:
        """The status a re-rendered form answers with: the refusal's, else 422."""
        return self.error.status if self.error is not None else 422


def page(
    bp: Blueprint,
    rule: str,
    methods: tuple[str, ...] = ("GET",),
    *,
    roles: tuple[str, ...] | None = None,
    public: bool = False,
    load: Callable | None = None,
    form: type | None = None,
    invalid: Callable | None = None,
    endpoint: str | None = None,
    writes: bool = False,
):
    """Declare a page. `roles=None` means any logged-in user; `public=True` needs no login.

    `writes=True`: a GET that may change state (an annual statement issued on its first request,
    DOMAIN.md §15) is committed by the lifecycle like a POST, never by the view.

    `load(user, **path)` → the object the view acts on (NotFound outside scope). The view is called
    as `view(ctx, obj)` with a loader, else `view(ctx, **path)`. `form` is a form class or a factory
    `form(ctx, obj)` (choices that depend on the object are set before validation). `invalid(ctx, obj)` (or
    `invalid(ctx)`) renders the form again; it is required with `form`.
    """
    if form is not None and invalid is None:
        raise TypeError(f"{rule}: a page with a form needs `invalid` to show its errors")

    def decorator(view):
        @functools.wraps(view)
        def wrapper(**path):
            user = current_user if current_user.is_authenticated else None
            if user is None and not public:
                return login_manager.unauthorized()
            if roles is not None and (user is None or user.role not in roles):
                abort(403)
            ctx = PageContext(user=user, now=now_utc())
            args = (ctx,) if load is None else (ctx, load(user, **path))
            kwargs = path if load is None else {}
            ctx.values = path
            if form is not None:
                # A form class, or a factory `form(ctx, obj)` for choices that depend on the object.
                ctx.form = form() if isinstance(form, type) else form(*args)
                if request.method == "POST" and not ctx.form.validate_on_submit():
                    return _rendered(invalid(*args), 422)
            try:
                result = view(*args, **kwargs)
            except DomainError as error:
                if ctx.form is None:
                    raise  # flashed on the page the user came from, or an error page
                db.session.rollback()
                ctx.error = error
                show_refusal(ctx.form, error)
                return _rendered(invalid(*args), error.status)
            if writes or request.method not in ("GET", "HEAD"):
                db.session.commit()
            if isinstance(result, Done):
                if result.message:
                    flash(result.message, result.category)
                return redirect(result.url)
            return result

        bp.add_url_rule(rule, endpoint or view.__name__, wrapper, methods=list(methods))
        return wrapper

    return decorator


def _rendered(response, status: int):
    """A re-rendered form answers with the refusal's status unless the renderer chose one."""
    if isinstance(response, tuple):
        return response
    return response, status
