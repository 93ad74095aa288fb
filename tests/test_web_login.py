"""Who may read the analyst view: users with password hashes (a session cookie), a trusted
proxy header, or, with neither, this machine only; `escucha serve` refuses to open it to
the network without a login."""
import http.client
import io
import os
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from dashboards.web.app import App
from escucha.config import ConfigError, parse
from escucha.passwords import check_password, hash_password

from .conftest import EXAMPLE, example_dict, utc

NOW = utc(2026, 11, 10, 18, 0)
PASSWORD = "vigilia-de-noche-2026"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *a):
        pass


def _config(env, tmp_path, monkeypatch, **web):
    monkeypatch.setenv("ESCUCHA_WEB_MARTA", hash_password(PASSWORD))
    data = example_dict()
    data["web"] = web or {"users": [{"name": "marta", "password_hash_env": "ESCUCHA_WEB_MARTA"}]}
    cfg = parse(data, str(EXAMPLE), env=os.environ, base_dir=tmp_path)
    return replace(cfg, store_path=str(tmp_path / "escucha.db"))


def call(app, path="/", method="GET", body=b"", **environ):
    """One request straight into the WSGI app (for what a socket cannot fake: the client's address)."""
    got = {}
    env = {"PATH_INFO": path.split("?")[0], "QUERY_STRING": path.partition("?")[2], "REQUEST_METHOD": method,
           "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
           "wsgi.url_scheme": "http", **environ}
    out = app(env, lambda status, headers: got.update(status=status, headers=dict(headers)))
    return got["status"], got["headers"], b"".join(out).decode()


@pytest.fixture
def site(env, tmp_path, monkeypatch, store):
    clock = {"now": NOW}
    cfg = _config(env, tmp_path, monkeypatch)
    app = App(cfg, store, clock=lambda: clock["now"])
    httpd = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_port, clock, app
    httpd.shutdown()


def request(port, path, method="GET", form=None, cookie=""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    body = urlencode(form).encode() if form is not None else None
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    return r.status, dict(r.getheaders()), r.read().decode()


def test_passwords_are_kept_as_salted_hashes():
    h = hash_password(PASSWORD)
    assert h.startswith("scrypt$") and PASSWORD not in h and h != hash_password(PASSWORD)
    assert check_password(PASSWORD, h) and not check_password(PASSWORD + "x", h)
    assert not check_password(PASSWORD, "not-a-hash")


def test_log_in_read_log_out(site):
    port, clock, _ = site
    status, headers, _ = request(port, "/?q=casilla")
    assert status == 303 and headers["Location"].startswith("/login?next=%2F%3Fq%3Dcasilla")
    status, _, page = request(port, "/login?next=/")
    assert status == 200 and 'type="password"' in page and "Iniciar sesión" in page
    status, _, page = request(port, "/login", "POST", {"user": "marta", "password": "wrong-one", "next": "/"})
    assert status == 401 and "Usuario o contraseña incorrectos." in page
    status, headers, _ = request(port, "/login", "POST", {"user": "marta", "password": PASSWORD, "next": "/?q=x"})
    assert status == 303 and headers["Location"] == "/?q=x"
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and PASSWORD not in cookie
    session = cookie.split(";")[0]
    status, _, page = request(port, "/", cookie=session)
    assert status == 200 and "marta" in page and 'action="/logout"' in page
    # A forged user in the cookie, and an expired session, are not logged in.
    user, expiry, sig = session.split("=", 1)[1].split("|")
    assert request(port, "/", cookie=f"escucha_session=ana|{expiry}|{sig}")[0] == 303
    clock["now"] = NOW + timedelta(hours=13)
    assert request(port, "/", cookie=session)[0] == 303
    status, headers, _ = request(port, "/logout", "POST", {})
    assert status == 303 and "Max-Age=0" in headers["Set-Cookie"]


def test_after_five_wrong_passwords_the_address_waits(site):
    port, _, _ = site
    for _ in range(5):
        assert request(port, "/login", "POST", {"user": "marta", "password": "guess"})[0] == 401
    status, _, page = request(port, "/login", "POST", {"user": "marta", "password": PASSWORD})
    assert status == 429 and "Espere diez minutos" in page
    assert request(port, "/login", "POST", {"user": "nadie", "password": PASSWORD})[0] == 429


def test_login_sends_only_to_this_site(site):
    port, _, _ = site
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        status, headers, _ = request(port, "/login", "POST", {"user": "marta", "password": PASSWORD, "next": target})
        assert status == 303 and headers["Location"] == "/", target


def test_without_a_login_only_this_machine_reads(config, store):
    app = App(config, store, clock=lambda: NOW)
    assert call(app)[0].startswith("200")
    status, _, body = call(app, REMOTE_ADDR="10.1.2.3")
    assert status.startswith("403") and "solo se abre desde este equipo" in body
    assert call(app, "/act?i=1", REMOTE_ADDR="10.1.2.3")[0].startswith("403"), "links: signed, not login"
    assert call(app, "/login")[0].startswith("404")


def test_a_trusted_proxy_names_the_user(env, tmp_path, monkeypatch, store):
    cfg = _config(env, tmp_path, monkeypatch, trusted_header="X-Forwarded-User")
    app = App(cfg, store, clock=lambda: NOW)
    assert call(app, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_USER="marta")[0].startswith("200")
    assert call(app, REMOTE_ADDR="10.1.2.3")[0].startswith("401")
    assert call(app)[0].startswith("401"), "with a proxy in front, loopback is the proxy: no header, no view"


def test_bad_web_settings_are_named(env, tmp_path, monkeypatch):
    monkeypatch.setenv("ESCUCHA_WEB_PLAIN", "my-password-in-clear")
    for web, words in (
            ({"users": [{"name": "marta", "password_hash_env": "ESCUCHA_WEB_PLAIN"}]},
             "web.users[0].password_hash_env: ESCUCHA_WEB_PLAIN must be a hash from `escucha web hash-password`"),
            ({"users": [{"name": "marta", "password_hash_env": "ESCUCHA_WEB_NOBODY"}]},
             "web.users[0].password_hash_env: environment variable ESCUCHA_WEB_NOBODY is not set"),
            ({"users": [{"name": "marta"}]}, "web.users[0].password_hash_env: is required"),
            ({"trusted_header": "X Forwarded User"}, "web.trusted_header: must be an HTTP header name"),
            ({"user": []}, "did you mean 'users'"),
            ({"session_hours": 0}, "web.session_hours: must be a number from 0.25 to 720 hours")):
        data = example_dict()
        data["web"] = web
        with pytest.raises(ConfigError) as exc:
            parse(data, str(EXAMPLE), env=os.environ, base_dir=tmp_path)
        assert words in str(exc.value), (web, str(exc.value))


def test_serve_refuses_to_open_the_view_to_the_network_without_a_login(env, tmp_path):
    from replay.mailbox import free_port

    r = subprocess.run([sys.executable, "-m", "escucha.cli", "serve", "--config", str(EXAMPLE), "--host", "0.0.0.0",
                        "--port", str(free_port())], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 2 and "would open the analyst view to anyone" in r.stderr and "Traceback" not in r.stderr
