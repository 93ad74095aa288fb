"""escucha serve over a real socket: acknowledge links, the inbound webhook, the analyst view."""
import json
import re
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from alerting.escalation import tick
from dashboards.web.app import App
from escucha.links import token_params
from escucha.records import Author, Classification, Incident, Mention

from .conftest import utc

NOW = utc(2026, 11, 10, 18, 0)


class _Quiet(WSGIRequestHandler):
    def log_request(self, *a):
        pass


@pytest.fixture
def server(config, store):
    clock = {"now": NOW}
    httpd = make_server("127.0.0.1", 0, App(config, store, clock=lambda: clock["now"]), handler_class=_Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", clock
    httpd.shutdown()


def get(url):
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def confirm(url):
    """What a person does: open the link (a page that changes nothing), press the button
    (a POST of the form's hidden fields to the form's action)."""
    import html
    from urllib.parse import urlencode, urljoin

    status, page = get(url)
    if status != 200:
        return status, page
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    action = urljoin(url, re.search(r'<form method="post" action="([^"]+)"', page).group(1))
    data = urlencode({k: html.unescape(v) for k, v in fields.items()}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(action, data=data, method="POST")) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _incident_with_mail(config, store, smtp, base):
    from dataclasses import replace

    cfg = replace(config, links=replace(config.links, base_url=base))
    store.upsert_mentions([Mention("x", "1", "voy a balacear la casilla", Author("malo"), NOW)])
    inc, _ = store.open_incident(Incident("threat:x:1", "threat", "critical", "Amenaza", "e", evidence=["x:1"]), NOW)
    tick(cfg, store, NOW)
    urls = re.findall(r"http://[^\s<>\"']+/a/[^\s<>\"']+", smtp.bodies()[0])
    return inc, {token_params(u.rsplit("/a/", 1)[1])["a"]: u for u in urls}


def test_acknowledge_by_link_stops_the_chain(config, store, smtp, server):
    base, clock = server
    inc, links = _incident_with_mail(config, store, smtp, base)
    for _ in range(3):  # opening the link (a person, a mail scanner) changes nothing
        status, body = get(links["ack"])
        assert status == 200 and "Acusar recibo" in body and "Amenaza" in body and 'method="post"' in body
    assert store.incident(inc.id).status == "open"
    status, body = confirm(links["ack"])
    assert status == 200 and "Acuse de recibo registrado" in body and "con acuse de recibo" in body
    assert store.incident(inc.id).status == "acknowledged"
    status, body = confirm(links["ack"])
    ana = config.member("ana").name
    assert status == 403 and "ya se usó" in body and f"ya tiene acuse de recibo de {ana}, 2026-11-10 12:00" in body
    tick(config, store, NOW + timedelta(minutes=30))
    assert len(smtp.messages) == 1


def test_forged_and_expired_links_are_refused(config, store, smtp, server):
    base, clock = server
    inc, links = _incident_with_mail(config, store, smtp, base)
    forged = dict(token_params(links["ack"].rsplit("/a/", 1)[1]), i=str(inc.id + 7))
    status, body = get(base + "/act?" + urllib.parse.urlencode(forged))
    assert status == 403 and "no lo firmó escucha" in body
    clock["now"] = NOW + timedelta(hours=25)
    status, body = get(links["resolve"])
    assert status == 403 and "El enlace venció" in body
    assert store.incident(inc.id).status == "open"


def test_inbound_webhook_resolves(config, store, smtp, server):
    base, _ = server
    inc, links = _incident_with_mail(config, store, smtp, base)
    params = {"t": links["resolve"].rsplit("/a/", 1)[1]}
    req = urllib.request.Request(base + "/webhook/act", data=json.dumps(params).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        out = json.loads(r.read())
    assert out == {"ok": True, "message": "Incidente resuelto.", "code": "done"}


def test_overview_numbers_search_and_escaping(config, store, server):
    base, _ = server
    evil = '<script>alert("x")</script> instituto corrupto'
    ms = [Mention("x", str(i), t, Author(f"u{i}"), NOW - timedelta(hours=i), accounts=("x:@IEN_Oficial",))
          for i, t in enumerate([evil, "gracias por todo", "otra queja más", "voy a balacear la casilla"])]
    store.upsert_mentions(ms)
    labels = ["negative", "positive", "negative", "negative"]
    store.save_classifications([Classification(m.id, "v", {}, {"sentiment": s, "offensive": "offensive" if i == 0
                                                               else "not_offensive", "threat": "threat" if i == 3
                                                               else "not_threat"}) for i, (m, s) in
                                enumerate(zip(ms, labels))])
    status, page = get(base + "/")
    assert status == 200
    assert re.search(r'data-label="negative">3<', page) and re.search(r'data-label="positive">1<', page)
    assert re.search(r'data-cat="threat">1<', page)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    status, page = get(base + "/?q=corrupto")
    assert page.count('class="text"') >= 1 and "&lt;script&gt;" in page
    status, page = get(base + "/?lang=en")
    assert "Crisis room" in page


def _raw(base, request: bytes) -> bytes:
    """One HTTP request written by hand (headers no client library would send)."""
    import socket

    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


def test_hostile_requests_get_a_status_not_a_crash(config, store, server):
    base, _ = server
    # Content-Length -1 (read everything) and far too large: refused, nothing buffered.
    for length in ("-1", "99999999"):
        got = _raw(base, f"POST /webhook/act HTTP/1.0\r\nContent-Length: {length}\r\n\r\n{{}}".encode())
        assert got.startswith(b"HTTP/1.0 413"), got[:80]
        got = _raw(base, f"POST /act HTTP/1.0\r\nContent-Length: {length}\r\n\r\ni=1".encode())
        assert got.startswith(b"HTTP/1.0 413"), got[:80]
    # JSON nested 100,000 deep: a clear 400, not a 500.
    deep = b"[" * 100_000 + b"]" * 100_000
    req = urllib.request.Request(base + "/webhook/act", data=deep[:9_000], method="POST")
    try:
        urllib.request.urlopen(req)
        raise AssertionError("accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 400
    nested = b'{"a":' * 1_500 + b"1" + b"}" * 1_500  # under the 10,000-byte cap, past Python's recursion limit
    req = urllib.request.Request(base + "/webhook/act", data=nested, method="POST")
    try:
        urllib.request.urlopen(req)
        raise AssertionError("accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 400 and b"JSON object" in e.read()
    # A period of 99,999,999,999 days falls back to a week instead of failing.
    status, body = get(base + "/?days=99999999999")
    assert status == 200


def test_a_store_that_is_down_is_a_503(config, server, tmp_path):
    from escucha.errors import StoreError

    class Down:
        def count_mentions(self):
            raise StoreError("the store cannot be reached")

    app = App(config, Down())
    seen = {}
    body = app({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, lambda s, h: seen.update(status=s))
    assert seen["status"].startswith("503") and b"cannot be reached" in b"".join(body)


def test_two_thousand_forged_links_write_a_few_audit_rows_with_their_count(config, store, smtp, server):
    from escucha import pipeline
    from escucha.links import RefusalLog

    base, clock = server
    inc, links = _incident_with_mail(config, store, smtp, base)
    forged = token_params(links["ack"].rsplit("/a/", 1)[1])
    forged["s"] = "x" + forged["s"][1:]
    log = RefusalLog()
    for _ in range(2000):
        assert pipeline.act_on_link(config, store, forged, NOW, refusals=log)[:2] == (
            False, "the link's signature is not valid")
    rows = [a for a in store.audit_log() if a["action"] == "link.refused"]
    assert len(rows) == 1 and rows[0]["detail"]["count"] == 1
    pipeline.act_on_link(config, store, forged, NOW + timedelta(minutes=1), refusals=log)
    rows = [a for a in store.audit_log() if a["action"] == "link.refused"]
    assert len(rows) == 2 and rows[1]["detail"]["count"] == 2000  # the 1,999 folded and this one
