"""Librarian login: anonymous and CSRF-less requests refused, cookies, sessions, logout."""

from __future__ import annotations

import stat
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from search_ui import create_app
from search_ui.auth import SECRET_FILE, safe_next
from tests.support.librarian import (
    LIBRARIAN,
    OTHER,
    OTHER_PASSWORD,
    PASSWORD,
    csrf_token,
    librarian_config,
    login,
    password_hash,
)

PROTECTED = ["/librarian/", "/librarian/gaps"]


@pytest.mark.parametrize("path", PROTECTED)
def test_anonymous_is_sent_to_login(auth_client: FlaskClient, path: str) -> None:
    r = auth_client.get(path)
    assert r.status_code == 302
    assert r.location.startswith("/login?next=")
    page = auth_client.get(r.location + "&lang=en").get_data(as_text=True)
    assert "Please log in to see the librarians&#39; pages." in page


def test_login_page_in_the_readers_language(auth_client: FlaskClient) -> None:
    html = auth_client.get("/login?lang=ru").get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert 'name="csrf_token"' in html


def test_login_without_csrf_token_is_refused(auth_client: FlaskClient) -> None:
    auth_client.get("/login")
    r = auth_client.post("/login?lang=en", data={"name": LIBRARIAN, "password": PASSWORD})
    assert r.status_code == 400
    assert "This form has expired" in r.get_data(as_text=True)
    assert auth_client.get("/librarian/").status_code == 302


def test_login_with_a_forged_token_is_refused(auth_client: FlaskClient) -> None:
    auth_client.get("/login")
    data = {"name": LIBRARIAN, "password": PASSWORD, "csrf_token": "forged"}
    assert auth_client.post("/login", data=data).status_code == 400


@pytest.mark.parametrize(
    ("name", "password"),
    [(LIBRARIAN, "wrong"), ("nobody", PASSWORD), (LIBRARIAN, ""), (OTHER, PASSWORD)],
)
def test_wrong_name_or_password(auth_client: FlaskClient, name: str, password: str) -> None:
    r = login(auth_client, name, password)
    assert r.status_code == 401
    assert "The name or the password is wrong." in r.get_data(as_text=True)
    assert auth_client.get("/librarian/").status_code == 302


def test_login_then_logout(auth_client: FlaskClient) -> None:
    r = login(auth_client, OTHER, OTHER_PASSWORD)
    assert r.status_code == 302 and r.location == "/librarian/"
    page = auth_client.get("/librarian/?lang=en")
    assert page.status_code == 200
    assert f"Logged in as {OTHER}" in page.get_data(as_text=True)
    token = csrf_token(auth_client, "/librarian/")
    assert auth_client.get("/logout").status_code == 405
    assert auth_client.post("/logout").status_code == 400  # no token: still logged in
    assert auth_client.get("/librarian/").status_code == 200
    r = auth_client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302 and r.location == "/login"
    assert auth_client.get("/librarian/").status_code == 302


def test_login_goes_back_to_the_asked_page(auth_client: FlaskClient) -> None:
    token = csrf_token(auth_client, "/login?next=/librarian/gaps")
    data = {"name": LIBRARIAN, "password": PASSWORD, "csrf_token": token, "next": "/librarian/gaps"}
    assert auth_client.post("/login", data=data).location == "/librarian/gaps"


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/librarian/gaps?have=anl", "/librarian/gaps?have=anl"),
        ("//evil.example/x", "/librarian/"),
        ("https://evil.example/", "/librarian/"),
        ("/\\evil.example", "/librarian/"),
        ("", "/librarian/"),
    ],
)
def test_next_stays_on_this_site(auth_app, target: str, safe: str) -> None:
    with auth_app.test_request_context():
        assert safe_next(target) == safe


def _session_cookie(headers: list[str]) -> str:
    found = [h for h in headers if h.startswith("birlik_session=")]
    assert found, headers
    return found[-1]


def test_session_cookie_is_httponly_and_lax_on_loopback(auth_client: FlaskClient) -> None:
    r = login(auth_client)
    cookie = _session_cookie(r.headers.getlist("Set-Cookie"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    morsel = SimpleCookie(cookie)["birlik_session"]
    assert PASSWORD not in morsel.value


def test_session_cookie_is_secure_off_loopback(tmp_path: Path, auth_backend) -> None:
    app = create_app(librarian_config(tmp_path, host="0.0.0.0"), backend=auth_backend)
    client = app.test_client()
    r = login(client)
    cookie = _session_cookie(r.headers.getlist("Set-Cookie"))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secret_key_is_generated_once_and_kept(tmp_path: Path, auth_backend) -> None:
    config = librarian_config(tmp_path)
    first = create_app(config, backend=auth_backend)
    key_file = tmp_path / SECRET_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app(config, backend=auth_backend)
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    client = first.test_client()
    login(client)
    # A session made by one process is good in the next one (same kept key).
    second_client = second.test_client()
    second_client.set_cookie("birlik_session", client.get_cookie("birlik_session").value)  # type: ignore[union-attr]
    assert second_client.get("/librarian/").status_code == 200


def test_configured_secret_key_wins(tmp_path: Path, auth_backend) -> None:
    config = librarian_config(tmp_path, ui={"secret_key": "k" * 40})
    assert create_app(config, backend=auth_backend).secret_key == "k" * 40
    assert not (tmp_path / SECRET_FILE).exists()


def test_a_removed_account_loses_its_session(tmp_path: Path, auth_backend) -> None:
    config = librarian_config(tmp_path)
    app = create_app(config, backend=auth_backend)
    client = app.test_client()
    login(client)
    assert client.get("/librarian/").status_code == 200
    gone = librarian_config(tmp_path, librarians=[])
    app2 = create_app(gone, backend=auth_backend)
    client2 = app2.test_client()
    client2.set_cookie("birlik_session", client.get_cookie("birlik_session").value)  # type: ignore[union-attr]
    assert client2.get("/librarian/").status_code == 302


def test_search_pages_stay_open(auth_client: FlaskClient) -> None:
    assert auth_client.get("/?q=Abai").status_code == 200
    assert auth_client.get("/api/search?q=Abai").status_code == 200


def test_a_new_password_ends_old_sessions(tmp_path: Path, auth_backend) -> None:
    app = create_app(librarian_config(tmp_path), backend=auth_backend)
    client = app.test_client()
    login(client)
    changed = librarian_config(
        tmp_path,
        librarians=[{"name": LIBRARIAN, "password_hash": password_hash("a new password")}],
    )
    client2 = create_app(changed, backend=auth_backend).test_client()
    client2.set_cookie("birlik_session", client.get_cookie("birlik_session").value)  # type: ignore[union-attr]
    assert client2.get("/librarian/").status_code == 302
    assert login(client2, LIBRARIAN, "a new password").status_code == 302
    assert client2.get("/librarian/").status_code == 200


def test_repeated_failures_make_that_name_wait(auth_app) -> None:
    client = auth_app.test_client()
    for _ in range(10):
        assert login(client, LIBRARIAN, "guess").status_code == 401
    r = login(client, LIBRARIAN, PASSWORD)  # even the right password waits now
    assert r.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in r.get_data(as_text=True)
    assert client.get("/librarian/").status_code == 302
    assert login(client, OTHER, OTHER_PASSWORD).status_code == 302  # other names are not held


def test_throttle_window() -> None:
    from search_ui.auth import Throttle

    t = Throttle(limit=2, window=0.2)
    t.failed("k")
    assert t.blocked_for("k") == 0
    t.failed("k")
    assert t.blocked_for("k") >= 1
    time.sleep(0.25)
    assert t.blocked_for("k") == 0
    t.failed("k")
    t.succeeded("k")
    assert t.blocked_for("k") == 0
