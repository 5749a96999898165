"""The application factory: settings, extensions, then every feature's declaration, bottom-up.

FEATURES is the layer order of the import-linter contract (pyproject.toml): each feature may import
only those listed before it (attendance, filing and calendars are siblings and never import each other).
"""

import logging

from flask import Flask, request
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from basesys.accounts.feature import FEATURE as ACCOUNTS
from basesys.attendance.feature import FEATURE as ATTENDANCE
from basesys.bureau.feature import FEATURE as BUREAU
from basesys.calendars.feature import FEATURE as CALENDARS
from basesys.certificates.feature import FEATURE as CERTIFICATES
from basesys.config import ROOT, load_config
from basesys.core.database import configure_engine
from basesys.core.feature import FEATURE as CORE
from basesys.core.features import register_features
from basesys.core.i18n import install_request_gettext
from basesys.courses.feature import FEATURE as COURSES
from basesys.declarations.feature import FEATURE as DECLARATIONS
from basesys.evaluation.feature import FEATURE as EVALUATION
from basesys.extensions import babel, csrf, db, migrate
from basesys.filing.feature import FEATURE as FILING
from basesys.notifications.feature import FEATURE as NOTIFICATIONS
from basesys.oversight.feature import FEATURE as OVERSIGHT
from basesys.rosters.feature import FEATURE as ROSTERS
from basesys.statements.feature import FEATURE as STATEMENTS

FEATURES = (
    CORE,
    ACCOUNTS,
    NOTIFICATIONS,
    COURSES,
    FILING,
    ATTENDANCE,
    CALENDARS,
    CERTIFICATES,
    DECLARATIONS,
    STATEMENTS,
    EVALUATION,
    ROSTERS,
    OVERSIGHT,
    BUREAU,
)


def select_locale() -> str:
    lang = request.cookies.get("lang") if request else None
    return lang if lang in ("zh", "en") else "zh"


def create_app(config: dict | None = None) -> Flask:
    settings = load_config(config)
    app = Flask(
        "basesys",
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=settings["INSTANCE_DIR"],
    )
    app.config.update(settings)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=app.config["PROXY_FIX_X_PROTO"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    babel.init_app(app, locale_selector=select_locale)
    install_request_gettext(app)
    app.jinja_env.globals["get_locale"] = get_locale
    register_features(app, FEATURES)
    return app
