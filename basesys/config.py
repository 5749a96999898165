"""Settings from the environment (see README "Configuration")."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    path = Path(os.environ.get("BASESYS_INSTANCE", ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    """The env var wins; otherwise a key generated once into instance/ (never a literal default)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_config(overrides: dict | None = None) -> dict:
    instance = _instance_dir()
    port = int(os.environ.get("PORT", "5000"))
    base_url = os.environ.get("BASE_URL", f"http://127.0.0.1:{port}").rstrip("/")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'basesys.sqlite3'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    config = {
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "BASE_URL": base_url,
        "PORT": port,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASESYS_SCHEDULER": os.environ.get("BASESYS_SCHEDULER", "off"),
        # A standby scheduler looks for the leader lock this often (a dead leader is replaced within it).
        "SCHEDULER_STANDBY_SECONDS": float(os.environ.get("BASESYS_SCHEDULER_STANDBY_SECONDS", "15")),
        # Drills and tests only: every job runs every N seconds instead of its declared interval.
        "SCHEDULER_INTERVAL_SECONDS": float(os.environ.get("BASESYS_JOB_INTERVAL_SECONDS") or 0) or None,
        # Who may read GET /metrics (Prometheus scrapes each app server directly); "*" for anyone.
        "METRICS_ALLOW_FROM": os.environ.get("METRICS_ALLOW_FROM", "127.0.0.1,::1"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": base_url.startswith("https://"),
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 180,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "API_TOKEN_HOURS": int(os.environ.get("API_TOKEN_HOURS", "12")),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "SIGNING_KEY_PATH": os.environ.get("SIGNING_KEY_PATH", str(instance / "signing_key.pem")),
        # Reverse proxies in front of the app whose X-Forwarded-For / -Proto are trusted (werkzeug's
        # ProxyFix); 0 = not behind a proxy, and such headers from clients are ignored.
        "PROXY_FIX_X_FOR": int(os.environ.get("PROXY_FIX_X_FOR", "0")),
        "PROXY_FIX_X_PROTO": int(os.environ.get("PROXY_FIX_X_PROTO", os.environ.get("PROXY_FIX_X_FOR", "0"))),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": os.environ.get("SMTP_FROM", ""),
    }
    config.update(overrides or {})
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(config["SQLALCHEMY_DATABASE_URI"]))
    return config


def engine_options(database_url: str) -> dict:
    """Every pooled connection is pinged when checked out, so a database restart costs no request
    (a dead one is replaced); PostgreSQL connects give up after 5 s instead of the TCP default."""
    options: dict = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": 5}
    return options
