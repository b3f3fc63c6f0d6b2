"""Librarian login: accounts from the config, signed session cookies, CSRF on every form.

Accounts are the config's ``[[librarians]]`` (name and werkzeug password hash; ``birlik user
add NAME`` writes one). Flask-Login keeps the signed-in name in Flask's signed session
cookie, which is HttpOnly, SameSite=Lax, and Secure unless the UI listens on loopback only.
Flask-WTF's ``CSRFProtect`` refuses every POST, PUT, PATCH or DELETE without a valid token;
templates put ``{{ csrf_token() }}`` in a hidden ``csrf_token`` field.

Other blueprints protect their views with ``login_required`` from here and read the
signed-in name with ``current_librarian()``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_login import login_required as _flask_login_required
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.security import check_password_hash, generate_password_hash

from harvester.config import Config, Librarian

log = logging.getLogger("birlik.ui.auth")

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = ""  # the login page says it itself
login_manager.session_protection = "basic"

SECRET_FILE = "secret_key"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
SESSION_HOURS = 12
PW_KEY = "_birlik_pw"
# Checked when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))

F = TypeVar("F", bound=Callable[..., Any])


class LibrarianUser(UserMixin):
    """A signed-in librarian; the id is the login name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def get_id(self) -> str:
        return self.name


def login_required(view: F) -> F:
    """Refuse anonymous access: redirect to the login page (Flask-Login's decorator)."""
    return _flask_login_required(view)


def require_login() -> ResponseReturnValue | None:
    """A ``before_request`` hook that refuses anonymous access to a whole blueprint."""
    if current_librarian() is None:
        return login_manager.unauthorized()
    return None


def current_librarian() -> str | None:
    """The signed-in librarian's name, or None."""
    if current_user and current_user.is_authenticated:
        return str(current_user.get_id())
    return None


def librarians() -> dict[str, Librarian]:
    from search_ui.views import services

    config = services().config
    return {lib.name: lib for lib in (config.librarians if config is not None else ())}


def check_login(name: str, password: str) -> bool:
    """True when ``name`` is a configured librarian and ``password`` matches the hash."""
    lib = librarians().get(name)
    ok = check_password_hash(lib.password_hash if lib else _DUMMY_HASH, password)
    return ok and lib is not None


def secret_key(config: Config | None) -> str:
    """``ui.secret_key``, else a key generated once and kept (mode 0600) in ``data_dir``."""
    if config is None:
        return secrets.token_hex(32)
    if config.ui.secret_key:
        return config.ui.secret_key
    path = config.data_dir / SECRET_FILE
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _read_key(path)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        from harvester.errors import ConfigError

        raise ConfigError(path, "secret_key", "the kept session key is too short; delete the file")
    return key


def on_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def safe_next(target: str | None) -> str:
    """A redirect target after login: a path on this site only, else the review queue."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    if "librarian.queue" in current_app.view_functions:
        return url_for("librarian.queue")
    return url_for("pages.search")


@login_manager.user_loader
def _load_user(name: str) -> LibrarianUser | None:
    """The session's librarian, while the account exists with the password it logged in with."""
    lib = librarians().get(name)
    if lib is None or session.get(PW_KEY) != _fingerprint(lib.password_hash):
        return None
    return LibrarianUser(name)


def _fingerprint(password_hash: str) -> str:
    """Ties a session to the hash it was made with: a new password ends old sessions."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class Throttle:
    """Failed logins per (client address, name) in a sliding window; too many and that
    pair waits. Keyed by both so that, behind a proxy, one guesser does not lock out all."""

    def __init__(self, limit: int = 10, window: float = 15 * 60) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked_for(self, key: str) -> int:
        """Seconds until ``key`` may try again (0 = now)."""
        now = time.monotonic()
        with self._lock:
            q = self._recent(key, now)
            return int(q[0] + self.window - now) + 1 if len(q) >= self.limit else 0

    def failed(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # forget the quiet ones
                for k in [k for k, q in self._failures.items() if not q]:
                    del self._failures[k]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = request.values.get("next", "")
    if current_librarian() and request.method == "GET":
        return redirect(safe_next(next_url))
    error = ""
    name = ""
    status = 200
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        throttle: Throttle = current_app.extensions["birlik_login_throttle"]
        client = request.remote_addr or "?"
        key = f"{client} {name.casefold()}"
        wait = throttle.blocked_for(key)
        if wait:
            log.warning("login refused for %r from %s: too many failures", name, client)
            minutes = (wait + 59) // 60
            error = ngettext(
                "Too many failed attempts. Try again in %(num)d minute.",
                "Too many failed attempts. Try again in %(num)d minutes.",
                minutes,
            )
            status = 429
        elif check_login(name, request.form.get("password", "")):
            throttle.succeeded(key)
            session.clear()  # a fresh session on every login
            session[PW_KEY] = _fingerprint(librarians()[name].password_hash)
            login_user(LibrarianUser(name))
            session.permanent = True
            log.info("librarian %s logged in from %s", name, client)
            return redirect(safe_next(next_url))
        else:
            throttle.failed(key)
            log.warning("failed login for %r from %s", name, client)
            error = _("The name or the password is wrong.")
            status = 401
    notice = _("Please log in to see the librarians' pages.") if next_url and not error else ""
    return (
        render_template("login.html", error=error, notice=notice, name=name, next_url=next_url),
        status,
    )


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    who = current_librarian()
    logout_user()
    session.clear()
    if who:
        log.info("librarian %s logged out", who)
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


def init_app(app: Flask, config: Config | None) -> None:
    """Session key and cookie settings, CSRF protection, the login manager and pages."""
    from datetime import timedelta

    secure = config is not None and not on_loopback(config.ui.host)
    app.config.update(
        SECRET_KEY=secret_key(config),
        SESSION_COOKIE_NAME="birlik_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
        WTF_CSRF_SSL_STRICT=True,
    )
    csrf.init_app(app)
    app.extensions["birlik_login_throttle"] = Throttle()
    app.context_processor(lambda: {"librarian_name": current_librarian()})
    login_manager.init_app(app)
    app.register_blueprint(bp)

    @app.errorhandler(CSRFError)
    def _csrf(e: CSRFError) -> ResponseReturnValue:
        log.warning("refused a form without a valid CSRF token on %s: %s", request.path, e)
        from search_ui.errors import _is_api, api_error

        if _is_api():
            return api_error(400, "csrf", "the form's CSRF token is missing or invalid")
        return (
            render_template(
                "error.html",
                status=400,
                title=_("This form has expired"),
                message=_("Go back, reload the page and send the form again."),
            ),
            400,
        )
