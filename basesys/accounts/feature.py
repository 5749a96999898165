"""Accounts: login, registration, bureaus, bases, staff and trainees (DOMAIN.md §1–2)."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from basesys.accounts import api, audit_texts, cli, demo, employer_views, profile_views, views
from basesys.accounts.models import Role, User
from basesys.accounts.refusals import REFUSALS
from basesys.accounts.tokens import user_from_token
from basesys.core.features import Feature, NavEntry, provide
from basesys.extensions import db, login_manager


def load_user(value: str):
    """The session cookie's user: `id:generation`, void once the password changed (or disabled)."""
    user_id, _, generation = value.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or str(user.token_generation) != generation:
        return None
    return user


def _init(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    provide(app, "user_from_token", user_from_token)
    provide(app, "demo_is_empty", demo.is_empty)
    provide(app, "demo_logins", demo.print_logins)


EVERYONE = tuple(role.value for role in Role)

FEATURE = Feature(
    name="accounts",
    blueprints=(views.bp, profile_views.bp, employer_views.bp, api.bp),
    nav=(
        NavEntry("accounts.home", _l("Home"), EVERYONE, order=0),
        NavEntry("accounts.bureaus", _l("Bureaus"), (Role.SYSADMIN.value,), order=10),
        NavEntry("accounts.bases", _l("Bases"), (Role.SYSADMIN.value,), order=20),
        NavEntry("accounts.users", _l("Accounts"), (Role.SYSADMIN.value,), order=30),
        NavEntry("employers.employers", _l("Employers"), (Role.SYSADMIN.value, Role.BUREAU_OFFICER.value), order=35),
        NavEntry("profile.profile", _l("Profile"), (Role.TRAINEE.value,), order=90),
    ),
    commands=cli.COMMANDS,
    demo=demo.load,
    refusals=REFUSALS,
    init=_init,
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
    audit_fields=audit_texts.FIELDS,
)
