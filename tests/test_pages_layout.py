"""Every page escucha serves, in a real Chromium at a phone's width (390 px) and a desktop's
(1366 px): what a reader needs is there, nothing runs off the screen, and a committee member
acknowledges from the phone by pressing the button the link's page shows."""
import threading
from dataclasses import replace
from datetime import timedelta
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from dashboards.web.app import App
from escucha.links import make_link
from escucha.records import Author, Mention

from .cdp import BROWSER, OVERFLOW, Chromium
from .test_web_login import _config
from .test_workspace import NOW, app  # noqa: F401 - the workspace's data, as a fixture

pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium installed (apt-get install chromium)")
WIDTHS = (390, 1366)


class _Quiet(WSGIRequestHandler):
    def log_request(self, *a):
        pass


class _Threads(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # Chromium opens spare connections and leaves them idle: one must not block the rest


def _serve(wsgi):
    httpd = make_server("127.0.0.1", 0, wsgi, server_class=_Threads, handler_class=_Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture(scope="module")
def chromium():
    c = Chromium()
    yield c
    c.close()


@pytest.fixture
def site(app):  # noqa: F811
    httpd = _serve(app)
    base = f"http://127.0.0.1:{httpd.server_port}"
    app.config = replace(app.config, links=replace(app.config.links, base_url=base))
    yield base, app
    httpd.shutdown()


def _fits(chromium, url, width, *needed):
    chromium.open(url, width)
    got = chromium.eval(OVERFLOW)
    assert got["scroll"] <= got["width"] and not got["wide"], f"{url} at {width}px runs off the screen: {got}"
    for selector in needed:
        assert chromium.eval(f"!!document.querySelector({selector!r})"), f"{url} at {width}px lacks {selector}"


@pytest.mark.parametrize("width", WIDTHS)
def test_every_workspace_page_fits_and_holds_what_it_is_for(chromium, site, width, tmp_path):
    base, app = site
    i = app.incident.id
    _fits(chromium, base + "/", width, "#filters", "#open-incidents a", "#feed .reason", "#chart rect", "#download")
    _fits(chromium, base + "/?days=30&category=offensive&q=corruptos", width, "#results", "#feed")
    _fits(chromium, base + "/incidents?status=all", width, "#incidents a")
    _fits(chromium, f"{base}/incidents/{i}", width, "#ack", "#resolve", "#reassign-to", "#note", "#timeline",
          "#evidence")
    _fits(chromium, base + "/unanswered", width, "#unanswered")
    shot = chromium.screenshot(tmp_path / f"incident-{width}.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5_000


@pytest.mark.parametrize("width", WIDTHS)
def test_a_member_acknowledges_from_the_link_by_pressing_the_button(chromium, site, width):
    base, app = site
    link = make_link(app.config.links, app.incident.id, "ana", "ack", NOW)
    _fits(chromium, link, width, "form button.big", "#explanation")
    assert app.store.incident(app.incident.id).status == "open", "opening the link changes nothing"
    chromium.send("Runtime.evaluate", expression="document.querySelector('form').submit()")
    chromium._wait_load()
    assert "Acuse de recibo registrado" in chromium.eval("document.getElementById('message').textContent")
    assert chromium.eval(OVERFLOW)["wide"] == []
    assert app.store.incident(app.incident.id).status == "acknowledged"
    assert "acusó recibo" in chromium.eval("document.getElementById('timeline').textContent")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_login_page_and_a_refused_link_fit(chromium, env, tmp_path, monkeypatch, store, width):
    cfg = _config(env, tmp_path, monkeypatch)
    httpd = _serve(App(cfg, store, clock=lambda: NOW + timedelta(hours=1)))
    base = f"http://127.0.0.1:{httpd.server_port}"
    try:
        _fits(chromium, base + "/incidents", width, "#user", "#password", "button")  # redirected to log in
        forged = make_link(replace(cfg.links, secret="another-key-that-escucha-never-held-0123"), 1, "ana", "ack", NOW)
        _fits(chromium, base + "/a/" + forged.rsplit("/a/", 1)[1], width, "#message")
        assert "no lo firmó escucha" in chromium.eval("document.getElementById('message').textContent")
        _fits(chromium, base + "/a/bm9wZQ.xxxxxxxxxxxxxxxxxxxxxx", width, "#message")
        assert "incompleto" in chromium.eval("document.getElementById('message').textContent")
    finally:
        httpd.shutdown()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_email_page_reads_on_a_phone_with_a_button_a_thumb_can_press(chromium, config, store, width, tmp_path):
    from alerting.escalation import compose
    from escucha.records import Author, Incident, Mention

    store.upsert_mentions([Mention("x", "1", "sangre " + "x" * 300, Author("malo"), NOW,
                                   url="https://x.com/malo/status/" + "1" * 40)])
    inc, _ = store.open_incident(Incident("k", "threat", "critical", "Amenaza violenta de @malo", "e",
                                          evidence=["x:1"]), NOW)
    from alerting.pages import Digest

    one = compose(config, inc, "ana", NOW, store, 0)
    for name, html in (("page", one.html()), ("digest", Digest([one] * 3).render("email")[1])):
        page = tmp_path / f"{name}.html"
        page.write_text(html, encoding="utf-8")
        _fits(chromium, page.as_uri(), width, "a[href*='/a/']")
        box = chromium.eval("(() => { const r = document.querySelector('a').getBoundingClientRect();"
                            " return [r.width, r.height]; })()")
        assert box[1] >= 44 and box[0] >= min(width, 600) * 0.8, (name, box)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_reads_on_a_phone(chromium, config, store, width, tmp_path):
    from dashboards.reports.weekly import write_report
    from escucha.records import Classification

    ms = [Mention("x", str(i), f"Pregunta número {i} sobre la casilla https://ien.example.org/" + "p" * 80,
                  Author(f"persona_con_un_nombre_largo_{i}", followers=10 ** 6), NOW - timedelta(hours=i),
                  accounts=("x:@IEN_Oficial",), lang="es") for i in range(12)]
    store.upsert_mentions(ms)
    store.save_classifications([Classification(m.id, "v", {}, {"sentiment": "negative", "offensive": "offensive"})
                                for m in ms])
    out = write_report(config, store, NOW - timedelta(days=7), NOW, tmp_path / "r.html")
    _fits(chromium, out.as_uri(), width, "#summary", "#sentiment", "img")
