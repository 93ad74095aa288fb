"""``escucha serve``: acknowledge links, an inbound webhook, and the analyst view.

A small WSGI app (standard library only) built from a config and a store, like
datasette's app: one handler maps escucha's errors to status codes, and every
page is rendered with autoescaping, so text written by strangers stays text.
"""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dashboards.i18n import TEXT
from dashboards.queries import summary
from escucha.errors import EscuchaError, StoreError
from escucha.records import utcnow

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]))


def render_overview(config, store, lang="es", q="", now=None, days=7) -> str:
    now = now or utcnow()
    data = summary(store, now - timedelta(days=days), now + timedelta(seconds=1), config.tz)
    results = store.search(q, limit=50) if q else None
    return _ENV.get_template("overview.html").render(c=config, d=data, t=TEXT[lang], lang=lang, q=q,
                                                    results=results, open=store.incidents("open"))


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

    def __call__(self, environ, start_response):
        try:
            status, ctype, body = self.route(environ)
        except StoreError as exc:  # the store is down or locked: try again later, not a bad request
            status, ctype, body = "503 Service Unavailable", "text/plain; charset=utf-8", str(exc)
        except EscuchaError as exc:
            status, ctype, body = "400 Bad Request", "text/plain; charset=utf-8", str(exc)
        data = body.encode("utf-8")
        start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data))),
                                ("X-Content-Type-Options", "nosniff"),
                                ("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'"),
                                ("Referrer-Policy", "no-referrer")])
        return [data]

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
            try:
                n = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                n = 0
            if not 0 <= n <= 10_000:
                return "413 Payload Too Large", "text/plain; charset=utf-8", "request body too large"
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(n).decode("utf-8", "replace")).items()}
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
        if path == "/" and method == "GET":
            days = q.get("days", "7")
            days = int(days) if days.isdigit() and 1 <= int(days) <= 366 else 7  # a period of a year at most
            page = render_overview(self.config, self.store, lang, q.get("q", "")[:200], self.clock(), days)
            return "200 OK", "text/html; charset=utf-8", page
        return "404 Not Found", "text/plain; charset=utf-8", "not found"


def serve(config, store, host="127.0.0.1", port=8765):  # pragma: no cover - exercised through the CLI
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
    from socketserver import ThreadingMixIn

    class _Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class _Quiet(WSGIRequestHandler):
        def log_request(self, *a):  # query strings carry link signatures: keep them out of logs
            pass

    with make_server(host, port, App(config, store), server_class=_Server, handler_class=_Quiet) as httpd:
        httpd.serve_forever()
