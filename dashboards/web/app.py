"""``escucha serve``: acknowledge links, an inbound webhook, and the analyst view.

A small WSGI app (standard library only) built from a config and a store, like
datasette's app: one handler maps escucha's errors to status codes, and every
page is rendered with autoescaping, so text written by strangers stays text.
"""
from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from escucha.i18n import TEXT
from dashboards.queries import summary
from dashboards.web import auth
from escucha.errors import ConfigError, EscuchaError, StoreError
from escucha.passwords import check_password
from escucha.records import utcnow

log = logging.getLogger("escucha.web")

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]))


def render_overview(config, store, lang="es", q="", now=None, days=7, user="") -> str:
    now = now or utcnow()
    data = summary(store, now - timedelta(days=days), now + timedelta(seconds=1), config.tz)
    results = store.search(q, limit=50) if q else None
    return _ENV.get_template("overview.html").render(c=config, d=data, t=TEXT[lang], lang=lang, q=q, days=days,
                                                    results=results, open=store.incidents("open"), user=user)


def write_snapshot(config, store, out, lang="es", now=None, days=14) -> str:
    """The analyst view as one static HTML file (the demo writes one)."""
    out = Path(out)
    out.write_text(render_overview(config, store, lang, now=now, days=days), encoding="utf-8")
    return str(out)


class App:
    """WSGI application. ``clock`` is injectable so tests can move time."""

    def __init__(self, config, store, clock=utcnow):
        self.config = config
        self.store = store
        self.clock = clock
        self.sessions = auth.Sessions(config.links.secret, config.web.session_hours) \
            if config.web.users and config.links.secret else None
        self.throttle = auth.Throttle()

    def __call__(self, environ, start_response):
        extra = []
        try:
            status, ctype, body, *more = self.route(environ)
            extra = more[0] if more else []
        except StoreError as exc:  # the store is down or locked: try again later, not a bad request
            status, ctype, body = "503 Service Unavailable", "text/plain; charset=utf-8", str(exc)
        except EscuchaError as exc:
            status, ctype, body = "400 Bad Request", "text/plain; charset=utf-8", str(exc)
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data))),
                                ("X-Content-Type-Options", "nosniff"),
                                ("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'"),
                                ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store"), *extra])
        return [data]

    def _form(self, environ) -> dict | None:
        """A url-encoded form body of at most 10,000 bytes (None when it is bigger)."""
        try:
            n = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            n = 0
        if not 0 <= n <= 10_000:
            return None
        return {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(n).decode("utf-8", "replace")).items()}

    def _login(self, environ, lang):
        """POST /login: the user's password against its hash; five failures from one address
        lock it out for ten minutes."""
        t = TEXT[lang]
        form = self._form(environ)
        if form is None:
            return "413 Payload Too Large", "text/plain; charset=utf-8", "request body too large"
        target = auth.safe_next(form.get("next", "/"))
        address = environ.get("REMOTE_ADDR", "")

        def page(status, message):
            return status, "text/html; charset=utf-8", _ENV.get_template("login.html").render(
                c=self.config, t=t, lang=lang, next=target, message=message)

        if self.throttle.locked(address):
            return page("429 Too Many Requests", t["login_locked"])
        user = next((u for u in self.config.web.users if u.name == form.get("user", "")), None)
        # An unknown name costs the same scrypt as a wrong password: no timing tells names apart.
        stored = user.password_hash if user else self.config.web.users[0].password_hash
        if not (check_password(form.get("password", ""), stored) and user):
            self.throttle.failed(address)
            log.warning("web login refused from %s", address)
            return page("401 Unauthorized", t["login_wrong"])
        cookie = self.sessions.make(user.name, self.clock())
        return "303 See Other", "text/plain; charset=utf-8", "", [
            ("Location", target), auth.set_cookie(cookie, environ, int(self.config.web.session_hours * 3600))]

    def route(self, environ):
        from escucha import pipeline

        path = environ.get("PATH_INFO", "/")
        method = environ.get("REQUEST_METHOD", "GET")
        q = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        lang = q.get("lang", self.config.report.lang)
        if lang not in TEXT:
            lang = "es"
        if path == "/healthz":
            return "200 OK", "application/json", json.dumps({"ok": True, "mentions": self.store.count_mentions()})
        if path == "/act" and method == "GET":
            # A GET never acts: mail scanners open links. It shows what the link would do and
            # a button that POSTs the same signed parameters.
            try:
                inc, member, action = pipeline.preview_link(self.config, self.store, q, self.clock())
            except ValueError as exc:
                page = _ENV.get_template("act.html").render(ok=False, message=str(exc), c=self.config, lang=lang)
                return "403 Forbidden", "text/html; charset=utf-8", page
            who = self.config.member(member)
            params = {k: q[k] for k in ("i", "m", "a", "e", "n", "s") if k in q}
            page = _ENV.get_template("confirm.html").render(
                incident=inc, member=who.name if who else member, action=action, params=params, c=self.config,
                lang=lang, t=TEXT[lang], opened=inc.opened_at.astimezone(self.config.tz).strftime("%Y-%m-%d %H:%M"))
            return "200 OK", "text/html; charset=utf-8", page
        if path == "/act" and method == "POST":
            form = self._form(environ)
            if form is None:
                return "413 Payload Too Large", "text/plain; charset=utf-8", "request body too large"
            ok, message = pipeline.act_on_link(self.config, self.store, form, self.clock())
            page = _ENV.get_template("act.html").render(ok=ok, message=message, c=self.config, lang=lang)
            return ("200 OK" if ok else "403 Forbidden"), "text/html; charset=utf-8", page
        if path == "/webhook/act" and method == "POST":
            # Inbound webhook (chat buttons, SMS gateways): the same signed parameters as JSON.
            try:
                n = int(environ.get("CONTENT_LENGTH") or 0)
                if not 0 <= n <= 10_000:
                    return "413 Payload Too Large", "application/json", json.dumps(
                        {"ok": False, "message": "body must be a JSON object of at most 10,000 bytes"})
                params = json.loads(environ["wsgi.input"].read(n) or b"{}")
                if not isinstance(params, dict):
                    raise ValueError
            except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
                return "400 Bad Request", "application/json", json.dumps({"ok": False, "message": "body must be "
                                                                          "a JSON object"})
            ok, message = pipeline.act_on_link(self.config, self.store, params, self.clock())
            return ("200 OK" if ok else "403 Forbidden"), "application/json", json.dumps({"ok": ok, "message": message})
        if path == "/login" and self.sessions is not None:
            if method == "POST":
                return self._login(environ, lang)
            page = _ENV.get_template("login.html").render(c=self.config, t=TEXT[lang], lang=lang, message="",
                                                          next=auth.safe_next(q.get("next", "/")))
            return "200 OK", "text/html; charset=utf-8", page
        if path == "/logout" and method == "POST":
            return "303 See Other", "text/plain; charset=utf-8", "", [
                ("Location", "/login"), auth.set_cookie("", environ, 0)]
        if path in ("/", "/export") and method == "GET":
            who = auth.user_of(self.config, self.sessions, environ, self.clock())
            if who is None:
                if self.sessions is not None:
                    here = path + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
                    return "303 See Other", "text/plain; charset=utf-8", "", [
                        ("Location", "/login?" + urlencode({"next": here, "lang": lang}))]
                if self.config.web.trusted_header:
                    return "401 Unauthorized", "text/plain; charset=utf-8", "log in through the institution's portal"
                return "403 Forbidden", "text/plain; charset=utf-8", TEXT[lang]["local_only"]
            days = q.get("days", "7")
            days = int(days) if days.isdigit() and 1 <= int(days) <= 366 else 7  # a period of a year at most
            if path == "/export":
                return self._export(q, days, lang, who)
            page = render_overview(self.config, self.store, lang, q.get("q", "")[:200], self.clock(), days,
                                   user=who if self.sessions is not None else "")
            return "200 OK", "text/html; charset=utf-8", page
        return "404 Not Found", "text/plain; charset=utf-8", "not found"

    def _export(self, q, days, lang, who):
        """GET /export: the mentions of the view's period and search as CSV or Excel, the
        same file ``escucha export`` writes (it changes nothing, so a GET may do it)."""
        import tempfile

        from escucha.export import write_export

        fmt = q.get("format", "csv")
        if fmt not in ("csv", "xlsx"):
            return "400 Bad Request", "text/plain; charset=utf-8", f"format must be csv or xlsx; got {fmt[:20]!r}"
        now = self.clock()
        since, until = now - timedelta(days=days), now + timedelta(seconds=1)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / f"escucha.{fmt}"
            res = write_export(self.config, self.store, out, "mentions", fmt, since, until, lang,
                               {"q": q.get("q", "")[:200]})
            body = out.read_bytes()
        log.info("web export of %d mentions (%s) by %s", res["rows"], fmt, who or "local")
        name = f"escucha-{since.astimezone(self.config.tz):%Y%m%d}-{now.astimezone(self.config.tz):%Y%m%d}.{fmt}"
        ctype = "text/csv; charset=utf-8" if fmt == "csv" else \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "200 OK", ctype, body, [("Content-Disposition", f'attachment; filename="{name}"')]


def check_exposure(config, host: str) -> None:
    """Refuse to serve the analyst view beyond this machine without a login."""
    if not config.web.login and not auth.loopback(host if host != "localhost" else "127.0.0.1"):
        raise ConfigError([f"web: escucha serve on {host} would open the analyst view to anyone who can reach "
                           "it; set [web] users (escucha web hash-password) or trusted_header, or serve on "
                           "127.0.0.1"], config.path)


def serve(config, store, host="127.0.0.1", port=8765):  # pragma: no cover - exercised through the CLI
    check_exposure(config, host)
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
    from socketserver import ThreadingMixIn

    class _Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class _Quiet(WSGIRequestHandler):
        def log_request(self, *a):  # query strings carry link signatures: keep them out of logs
            pass

    with make_server(host, port, App(config, store), server_class=_Server, handler_class=_Quiet) as httpd:
        httpd.serve_forever()
