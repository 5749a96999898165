"""basesys: continuing-education training bases, their courses, attendance, hours and certificates."""

import importlib
import importlib.util
import logging
from pathlib import Path

from flask import Flask, request
from flask_babel import get_locale

from basesys.config import ROOT, load_config
from basesys.extensions import babel, csrf, db, login_manager, migrate

# Feature packages, in dependency order. Each may have `views.bp` (pages), `api.bp` (JSON API),
# `cli.register(app)` and `jobs` (scheduled jobs); missing modules are simply skipped.
FEATURES = ["accounts", "courses", "filing", "attendance", "certificates", "filing.rosters", "bureau"]


def _feature_module(feature: str, name: str):
    """basesys.<feature>.<name>, or None when the feature or that module does not exist (yet)."""
    dotted = f"basesys.{feature}.{name}"
    try:
        if importlib.util.find_spec(dotted) is None:
            return None
    except ModuleNotFoundError:  # a parent package is missing
        return None
    return importlib.import_module(dotted)


def select_locale() -> str:
    lang = request.cookies.get("lang") if request else None
    return lang if lang in ("zh", "en") else "zh"


def create_app(config: dict | None = None) -> Flask:
    settings = load_config(config)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=settings["INSTANCE_DIR"],
    )
    app.config.update(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    with app.app_context():
        from basesys.core.database import configure_engine

        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    babel.init_app(app, locale_selector=select_locale)
    _init_login(app)

    from basesys.core import cli, errors_web, web

    web.init_app(app)
    errors_web.init_app(app)
    for feature in FEATURES:
        _feature_module(feature, "models")
        for module_name in ("views", "api"):
            module = _feature_module(feature, module_name)
            if module is not None and hasattr(module, "bp"):
                app.register_blueprint(module.bp)
        feature_cli = _feature_module(feature, "cli")
        if feature_cli is not None:
            feature_cli.register(app)
    cli.register(app)
    app.jinja_env.globals["get_locale"] = get_locale
    return app


def _init_login(app: Flask) -> None:
    from basesys.accounts.models import User

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(value: str):
        user_id, _, generation = value.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or str(user.token_generation) != generation:
            return None
        return user


def package_path() -> Path:
    return Path(__file__).resolve().parent
