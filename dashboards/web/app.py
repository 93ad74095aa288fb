"""``escucha serve``: acknowledge links, an inbound webhook, and the analyst view.

A small WSGI app (standard library only) built from a config and a store, like
datasette's app: one handler maps escucha's errors to status codes, and every
page is rendered with autoescaping, so text written by strangers stays text.
"""
from __future__ import annotations

import hmac
import json
import logging
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dashboards.queries import summary
from dashboards.web import auth
from dashboards.web import workspace as ws
from escucha import incidents, pipeline
from escucha.errors import ConfigError, EscuchaError, StoreError
from escucha.i18n import EXPORT, TEXT
from escucha.links import SHORT_PATH, LinkRefused, token_params
from escucha.passwords import check_password
from escucha.records import SEVERITY_ORDER, utcnow

log = logging.getLogger("escucha.web")

WORKSPACE = ("/", "/export", "/incidents", "/unanswered", "/triage")

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]))
# A post's link becomes a link only when it is a web address: a file import could carry
# "javascript:…" in its url column.
_ENV.filters["web"] = lambda url: isinstance(url, str) and url.lower().startswith(("https://", "http://"))


def _page(name: str, config, lang: str, **values) -> str:
    """A page in the institution's words, with its local-time helpers."""
    return _ENV.get_template(name).render(
        c=config, t=TEXT[lang], lang=lang, local=lambda at: ws.local(config, at),
        names=lambda member: ws.name_of(config, member), **values)


def render_overview(config, store, lang="es", q="", now=None, days=7, user="", filters=None, form="",
                    triaged=None, here_url="/") -> str:
    now = now or utcnow()
    f = {k: "" for k in ("category", "severity", "account", "language", "platform")} | (filters or {})
    since, until = now - timedelta(days=days), now + timedelta(seconds=1)
    data = summary(store, since, until, config.tz)
    results = store.search(q, limit=50) if q else None
    w = EXPORT[lang]
    t = TEXT[lang]
    cat_words = {"threat": t["threat"], "hate": t["hate"], "offensive": w["why_offensive"],
                 "misinformation": t["misinformation"], "negative": t["negative_cat"], "needs_answer": t["needs_answer"]}
    active = [i for i in store.incidents() if i.status != "resolved"]
    active.sort(key=lambda i: (SEVERITY_ORDER.index(i.severity) if i.severity in SEVERITY_ORDER else 9,
                               -(i.opened_at or now).timestamp()))
    return _page("overview.html", config, lang, d=data, q=q, days=days, results=results, active=active, user=user,
                 nav=True, here="overview", f=f, periods=ws.PERIODS if days in ws.PERIODS else (*ws.PERIODS, days),
                 categories=ws.CATEGORIES, cat_words=cat_words, platforms=sorted({a.platform for a in config.accounts}),
                 g=ws.chart(data["by_day"]), form=form, triaged=triaged or {}, here_url=here_url,
                 feed=ws.feed(config, store, since, until, lang, q=q, **f))


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
        self._key = secrets.token_bytes(32)  # signs the workspace's form tokens for this process

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
        path = environ.get("PATH_INFO", "/")
        method = environ.get("REQUEST_METHOD", "GET")
        q = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        lang = q.get("lang", self.config.report.lang)
        if lang not in TEXT:
            lang = "es"
        if path == "/healthz":
            return "200 OK", "application/json", json.dumps({"ok": True, "mentions": self.store.count_mentions()})
        if method == "GET" and (path == "/act" or path.startswith(SHORT_PATH)):
            # A GET never acts: mail scanners open links. It shows what the link would do and
            # a button that POSTs the same signed parameters.
            params = token_params(path[len(SHORT_PATH):]) if path.startswith(SHORT_PATH) else q
            return self._confirm(params, lang, "../act" if path.startswith(SHORT_PATH) else "act")
        if path == "/act" and method == "POST":
            form = self._form(environ)
            if form is None:
                return "413 Payload Too Large", "text/plain; charset=utf-8", "request body too large"
            acted = pipeline.act_on_link(self.config, self.store, form, self.clock())
            return self._acted(acted, self._lang_of(acted.by, lang))
        if path == "/webhook/act" and method == "POST":
            return self._webhook(environ)
        if path == "/login" and self.sessions is not None:
            if method == "POST":
                return self._login(environ, lang)
            page = _ENV.get_template("login.html").render(c=self.config, t=TEXT[lang], lang=lang, message="",
                                                          next=auth.safe_next(q.get("next", "/")))
            return "200 OK", "text/html; charset=utf-8", page
        if path == "/logout" and method == "POST":
            return "303 See Other", "text/plain; charset=utf-8", "", [
                ("Location", "/login"), auth.set_cookie("", environ, 0)]
        if path in WORKSPACE or path.startswith("/incidents/"):
            return self._workspace(environ, path, method, q, lang)
        return "404 Not Found", "text/plain; charset=utf-8", "not found"

    def _confirm(self, params, lang, post_to):
        try:
            inc, member, action = pipeline.preview_link(self.config, self.store, params, self.clock())
        except LinkRefused as exc:
            return self._acted(incidents.Acted(False, str(exc), exc.code), lang, "403 Forbidden")
        lang = self._lang_of(member, lang)
        page = _page("confirm.html", self.config, lang, incident=inc, member=ws.name_of(self.config, member),
                     action=action, params={k: params[k] for k in ("i", "m", "a", "e", "n", "s") if k in params},
                     post_to=post_to, opened=ws.local(self.config, inc.opened_at))
        return "200 OK", "text/html; charset=utf-8", page

    def _lang_of(self, member_id: str, lang: str) -> str:
        """The language a link's pages speak: the member's own, when the configuration gives one."""
        member = self.config.member(member_id)
        return member.lang if member and member.lang else lang

    def _acted(self, acted, lang, status=None):
        """The page after a link acted (or refused): what happened in words, the incident's
        state now and its timeline."""
        t = TEXT[lang]
        inc = self.store.incident(acted.incident.id) if acted.incident else None
        events = self._events(inc, t) if inc else []
        page = _page("act.html", self.config, lang, ok=acted.ok, message=ws.act_sentence(self.config, t, acted),
                     i=inc, events=events)
        return status or ("200 OK" if acted.ok else "403 Forbidden"), "text/html; charset=utf-8", page

    def _events(self, inc, t):
        return [(ws.local(self.config, e.at), ws.event_sentence(self.config, t, e))
                for e in incidents.timeline(self.store, inc.id)]

    def _webhook(self, environ):
        """Inbound webhook (chat buttons, SMS gateways): the same signed parameters as JSON."""
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
        if isinstance(params.get("t"), str):  # a short link's token
            params = token_params(params["t"])
        acted = pipeline.act_on_link(self.config, self.store, params, self.clock())
        t = TEXT[self.config.report.lang]
        return ("200 OK" if acted.ok else "403 Forbidden"), "application/json", json.dumps(
            {"ok": acted.ok, "message": ws.act_sentence(self.config, t, acted), "code": acted.code},
            ensure_ascii=False)

    def _workspace(self, environ, path, method, q, lang):
        """The analyst workspace: every page needs a reader (login, trusted header, or this
        machine); every POST needs the page's form token."""
        who = auth.user_of(self.config, self.sessions, environ, self.clock())
        if who is None:
            if self.sessions is not None:
                here = path + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
                return "303 See Other", "text/plain; charset=utf-8", "", [
                    ("Location", "/login?" + urlencode({"next": here, "lang": lang}))]
            if self.config.web.trusted_header:
                return "401 Unauthorized", "text/plain; charset=utf-8", "log in through the institution's portal"
            return "403 Forbidden", "text/plain; charset=utf-8", TEXT[lang]["local_only"]
        user = who if self.sessions is not None else ""
        token = ws.csrf(self._key, who)
        if method == "POST":
            form = self._form(environ)
            if form is None:
                return "413 Payload Too Large", "text/plain; charset=utf-8", "request body too large"
            if not hmac.compare_digest(form.get("csrf", ""), token):
                return "403 Forbidden", "text/plain; charset=utf-8", TEXT[lang]["act_form"]
            if path == "/triage":
                return self._triage(form, who, lang)
            if path.startswith("/incidents/") and path[11:].isdigit():
                acted = incidents.act(self.config, self.store, int(path[11:]), form.get("action", ""), who,
                                      self.clock(), form.get("text", ""))
                return self._incident(int(path[11:]), lang, user, token, acted)
            return "405 Method Not Allowed", "text/plain; charset=utf-8", "this page only shows"
        if method != "GET":
            return "405 Method Not Allowed", "text/plain; charset=utf-8", "method not allowed"
        days = q.get("days", "7")
        days = int(days) if days.isdigit() and 1 <= int(days) <= 366 else 7  # a period of a year at most
        if path == "/export":
            return self._export(q, days, lang, who)
        if path == "/incidents":
            return self._incidents(q, lang, user)
        if path == "/unanswered":
            rows = [r for r in pipeline.unanswered(self.config, self.store, self.clock())
                    if self._triaged().get(r["id"], {}).get("verdict") not in ("answered", "wrong")]
            return "200 OK", "text/html; charset=utf-8", _page("unanswered.html", self.config, lang, rows=rows,
                                                                user=user, nav=True, here="unanswered")
        if path.startswith("/incidents/") and path[11:].isdigit():
            return self._incident(int(path[11:]), lang, user, token)
        if path == "/":
            filters = {k: q.get(k, "")[:80] for k in ("category", "severity", "account", "language", "platform")}
            if filters["category"] not in ("", *ws.CATEGORIES):
                filters["category"] = ""
            here = "/?" + environ.get("QUERY_STRING", "")
            page = render_overview(self.config, self.store, lang, q.get("q", "")[:200], self.clock(), days,
                                   user=user, filters=filters, form=token, triaged=self._triaged(),
                                   here_url=auth.safe_next(here))
            return "200 OK", "text/html; charset=utf-8", page
        return "404 Not Found", "text/plain; charset=utf-8", "not found"

    def _incidents(self, q, lang, user):
        status, severity = q.get("status", "active"), q.get("severity", "")
        rows = self.store.incidents(status if status in ("open", "acknowledged", "resolved") else None)
        if status == "active":
            rows = [i for i in rows if i.status != "resolved"]
        if severity:
            rows = [i for i in rows if i.severity == severity]
        rows.sort(key=lambda i: i.opened_at or self.clock(), reverse=True)
        page = _page("incidents.html", self.config, lang, incidents=rows, status=status, severity=severity,
                     user=user, nav=True, here="incidents")
        return "200 OK", "text/html; charset=utf-8", page

    def _incident(self, incident_id, lang, user, token, acted=None):
        inc = self.store.incident(incident_id)
        if inc is None:
            return "404 Not Found", "text/plain; charset=utf-8", TEXT[lang]["act_gone"]
        t = TEXT[lang]
        evidence = [m for m in (self.store.get_mention(e) for e in inc.evidence[:50]) if m]
        assigned = incidents.assignment(self.store, inc.id)
        if assigned:
            assigned = dict(assigned, at_local=ws.local(self.config, assigned["at"]))
        page = _page("incident.html", self.config, lang, i=inc, evidence=evidence, events=self._events(inc, t),
                     assigned=assigned, form=token, user=user, nav=True, here="incidents",
                     ok=acted.ok if acted else None, message=ws.act_sentence(self.config, t, acted) if acted else "")
        return ("200 OK" if acted is None or acted.ok else "409 Conflict"), "text/html; charset=utf-8", page

    def _triaged(self) -> dict:
        """Each mention's latest triage: {mention id: {who, verdict}}."""
        out = {}
        for row in self.store.audit_log():
            if row["action"] == "triage":
                d = row.get("detail") or {}
                out[str(d.get("mention"))] = {"who": ws.name_of(self.config, row.get("actor") or ""),
                                              "verdict": d.get("verdict")}
        return out

    def _triage(self, form, who, lang):
        """POST /triage: the analyst's verdict on a flag (correct, wrong, answered), kept in the
        audit log with who and when; ``escucha feedback export`` turns them into labelled data."""
        verdict, mention = form.get("verdict", ""), form.get("mention", "")[:200]
        m = self.store.get_mention(mention) if verdict in ws.TRIAGE else None
        if m is None:
            return "400 Bad Request", "text/plain; charset=utf-8", \
                f"triage: verdict must be one of {', '.join(ws.TRIAGE)} on a stored mention"
        c = self.store.classification(m.id)
        self.store.audit("triage", {"mention": m.id, "verdict": verdict,
                                    "labels": dict(c.labels) if c else {},
                                    "model": c.model_version if c else ""}, actor=who, at=self.clock())
        return "303 See Other", "text/plain; charset=utf-8", "", [
            ("Location", auth.safe_next(form.get("next", "/")))]

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
