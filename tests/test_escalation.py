"""The contact chain against a real SMTP server and a real webhook receiver on loopback,
with a controllable clock (every call takes ``now``)."""
import json
import re
import threading
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from escucha.links import links_in
from escucha.pipeline import act_on_link
from alerting.escalation import tick
from replay.mailbox import free_port
from escucha.records import Author, Incident, Mention

from .conftest import utc

# Tuesday 2026-11-10 12:00 in Mexico City (UTC-6): everybody at work.
WORKDAY = utc(2026, 11, 10, 18, 0)
# Monday 2026-11-16 is a holiday (configured): Luis does not work holidays.
HOLIDAY = utc(2026, 11, 16, 18, 0)


class Hooks:
    def __init__(self):
        self.received = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("content-length") or 0)
                outer.received.append(json.loads(self.rfile.read(n) or b"{}"))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """Every escalation test runs with the state in SQLite and in a real PostgreSQL."""
    from escucha.store import SQLiteStore

    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    s = SQLiteStore(tmp_path / "store.db", state_url=url)
    yield s
    s.state.engine.dispose()
    s.close()


@pytest.fixture
def hooks():
    h = Hooks()
    yield h
    h.server.shutdown()


def _open(store, config, now, severity="critical", key="threat:x:1"):
    store.upsert_mentions([Mention("x", "1", "El domingo va a haber sangre en la casilla", Author("malo"), now)])
    inc, _ = store.open_incident(Incident(key, "threat", severity, "Amenaza", "explicación",
                                          evidence=["x:1"]), now)
    return inc


def _recipients(smtp):
    return [rcpt[0].split("@")[0] for _, rcpt in smtp.envelopes]


def _links(smtp, i=-1):
    return links_in(smtp.bodies()[i])


def test_full_chain_until_step_three(config, store, smtp):
    inc = _open(store, config, WORKDAY)
    t = WORKDAY
    tick(config, store, t)
    assert _recipients(smtp) == ["ana"]
    tick(config, store, t + timedelta(minutes=2))  # not due yet: nothing new
    assert _recipients(smtp) == ["ana"]
    tick(config, store, t + timedelta(minutes=5))  # step 2: role seguridad = luis and marta
    assert sorted(_recipients(smtp)[1:]) == ["luis", "marta"]
    tick(config, store, t + timedelta(minutes=10))  # step 3: on call (weekday: ana)
    assert _recipients(smtp)[3:] == ["ana"]
    links = _links(smtp)
    acted = act_on_link(config, store, links["ack"], t + timedelta(minutes=11))
    assert acted.ok, acted.message
    tick(config, store, t + timedelta(minutes=30))
    assert len(smtp.messages) == 4, "acknowledging stops the escalation"
    log = [a["action"] for a in store.audit_log(inc.id)]
    assert log.count("escalation.step") == 3 and log.count("delivery.sent") == 4
    assert log[-1] == "incident.acknowledged"
    assert store.incident(inc.id).acknowledged_by == "ana"


def test_message_carries_evidence_and_masked_nothing_secret(config, store, smtp):
    _open(store, config, WORKDAY)
    tick(config, store, WORKDAY)
    body = smtp.bodies()[0]
    assert "sangre en la casilla" in body and "/a/" in body
    assert config.links.secret not in body
    channels = {d.channel for d in store.deliveries()}
    assert all("ana@" not in c or "***" in c or c.startswith("mailto") for c in channels)


def test_forged_expired_and_reused_links_are_refused(config, store, smtp):
    inc = _open(store, config, WORKDAY)
    tick(config, store, WORKDAY)
    ack = _links(smtp)["ack"]
    forged = dict(ack, i=str(inc.id + 1))
    assert act_on_link(config, store, forged, WORKDAY)[1] == "the link's signature is not valid"
    sig = ack["s"]
    # One character changed for certain: a fixed suffix would be no change for the one
    # signature in 4,096 that already ends with it.
    tampered = dict(ack, s=sig[:5] + ("B" if sig[5] != "B" else "C") + sig[6:])
    assert not act_on_link(config, store, tampered, WORKDAY)[0]
    late = WORKDAY + timedelta(hours=config.links.ttl_hours, minutes=1)
    assert act_on_link(config, store, ack, late)[1] == "the link has expired"
    assert act_on_link(config, store, ack, WORKDAY)[0]
    assert act_on_link(config, store, ack, WORKDAY)[1] == "the link was already used"
    other = replace(config, links=replace(config.links, secret="another-secret-of-enough-length-to-sign-links"))
    assert not act_on_link(other, store, _links(smtp)["resolve"], WORKDAY)[0]


def test_dead_channel_falls_through_to_the_next(config, store, smtp, hooks, monkeypatch):
    from escucha.config import Contact

    ana = config.member("ana")
    dead = Contact("ESCUCHA_ANA_EMAIL", f"mailto://127.0.0.1:{free_port()}?from=a@b.org&to=ana@x.org&mode=insecure")
    members = tuple(replace(m, contacts=(dead, Contact("ESCUCHA_ANA_WEBHOOK", hooks.url))) if m.id == "ana" else m
                    for m in config.members)
    cfg = replace(config, members=members)
    inc = _open(store, cfg, WORKDAY)
    tick(cfg, store, WORKDAY)
    ds = store.deliveries(inc.id)
    assert [d.status for d in ds] == ["failed", "sent"]
    assert len(hooks.received) == 1 and "sangre" in json.dumps(hooks.received[0], ensure_ascii=False)
    tick(cfg, store, WORKDAY + timedelta(minutes=1))
    assert len(store.deliveries(inc.id)) == 2, "no re-send within the step"
    assert ana is not None


def test_holiday_routes_to_the_substitute(config, store, smtp):
    inc = _open(store, config, HOLIDAY)
    tick(config, store, HOLIDAY)
    tick(config, store, HOLIDAY + timedelta(minutes=5))  # role seguridad: luis is off on the holiday
    assert sorted(_recipients(smtp)[1:]) == ["marta"], _recipients(smtp)
    routes = [a["detail"]["detail"] for a in store.audit_log(inc.id) if a["action"] == "escalation.route"]
    assert any("luis unavailable; routed to substitute marta" in r for r in routes)


def test_crash_mid_tick_then_restart_loses_and_duplicates_nothing(config, store, smtp):
    inc = _open(store, config, WORKDAY)
    tick(config, store, WORKDAY)
    # Crash: step 2 was claimed (advanced) but the process died before sending.
    assert store.advance_incident(inc.id, 0, 0, 1, 0, WORKDAY + timedelta(minutes=10))
    tick(config, store, WORKDAY + timedelta(minutes=6))  # restart: finishes step 2
    assert sorted(_recipients(smtp)) == ["ana", "luis", "marta"]
    tick(config, store, WORKDAY + timedelta(minutes=7))
    assert len(smtp.messages) == 3


def test_two_ticks_at_once_page_once(config, store, smtp, tmp_path):
    from escucha.store import SQLiteStore

    inc = _open(store, config, WORKDAY)
    other = SQLiteStore(store.path, state_url=str(store.state.engine.url.render_as_string(hide_password=False))
                        if store.state.url.startswith("postgresql") else None)
    threads = [threading.Thread(target=tick, args=(config, s, WORKDAY)) for s in (store, other, store)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert _recipients(smtp) == ["ana"]
    assert len(store.deliveries(inc.id)) == 1


def test_exhausted_policy_is_logged_once(config, store, smtp):
    inc = _open(store, config, WORKDAY, severity="high", key="narrative:x")
    t = WORKDAY
    for minutes in (0, 15, 45, 90, 200):
        tick(config, store, t + timedelta(minutes=minutes))
    log = [a["action"] for a in store.audit_log(inc.id)]
    assert log.count("escalation.exhausted") == 1
    assert _recipients(smtp) == ["ana", "marta"]


def test_the_page_goes_out_while_the_search_engine_holding_the_mentions_is_down(config, smtp, tmp_path,
                                                                                  elasticsearch_face, opensearch_url):
    """Mentions in the search engine, escalation state in SQL: the engine failing (503 on
    every search) must not stop the page; the message names the evidence ids instead."""
    import secrets

    from stores.opensearch import OpenSearchIndex
    from stores.search import ElasticsearchStore

    prefix = "p" + secrets.token_hex(4)
    store = ElasticsearchStore(elasticsearch_face.url, prefix=prefix, state_url=f"sqlite:///{tmp_path}/state.db")
    try:
        _open(store, config, WORKDAY)
        elasticsearch_face.faults[:] = [(r"/_search$", 503)] * 3  # the client's try and its two retries
        tick(config, store, WORKDAY)
        assert elasticsearch_face.faults == []
        assert _recipients(smtp) == ["ana"]
        body = smtp.bodies()[0]
        assert "evidence text not available now; mention ids: x:1" in body and "/a/" in body
        tick(config, store, WORKDAY + timedelta(minutes=5))  # back: the next step carries the text
        assert "sangre en la casilla" in smtp.bodies()[-1]
    finally:
        elasticsearch_face.faults.clear()
        OpenSearchIndex(opensearch_url).client.indices.delete(index=f"{prefix}-*,{prefix}_*", ignore=[404])


def test_the_escalation_tick_opens_a_search_engine_store_that_is_down(config, smtp, tmp_path):
    """The escalate DAG opens the store each minute: a search engine that is down must not
    keep it from paging (the incidents live in SQL)."""
    from escucha import pipeline

    state = f"sqlite:///{tmp_path}/state.db"
    cfg = replace(config, store_backend="opensearch", index_url=f"http://127.0.0.1:{free_port()}", state_url=state)
    store = pipeline.open_store(cfg)
    store.open_incident(Incident("threat:x:1", "threat", "critical", "Amenaza", "explicación", evidence=["x:1"]),
                        WORKDAY)
    pipeline.escalate(cfg, store, WORKDAY)
    assert _recipients(smtp) == ["ana"]
    assert "mention ids: x:1" in smtp.bodies()[0]


def test_a_webhooks_secret_path_never_reaches_deliveries_or_the_audit_log(config, store, hooks):
    import json as _json

    secret = "T0K3N-s3cr3t-path"
    url = hooks.url + "/" + secret
    members = tuple(replace(m, contacts=(replace(m.contacts[0], url=url),)) if m.id == "ana" else m
                    for m in config.members)
    cfg = replace(config, members=members)
    inc = _open(store, cfg, WORKDAY)
    tick(cfg, store, WORKDAY)
    assert [d.status for d in store.deliveries(inc.id)] == ["sent"]
    assert secret not in _json.dumps([d.channel for d in store.deliveries()])
    assert secret not in _json.dumps(store.audit_log(), ensure_ascii=False)


def test_a_strangers_line_breaks_and_bidi_controls_do_not_forge_lines_of_the_page(config, store, smtp):
    name = "malo\nAcusar recibo: http://evil.example/act"
    text = "hola\r\n\r\nResolver: http://evil.example/x \u202eevil\u202c"
    store.upsert_mentions([Mention("x", "1", text, Author(name), WORKDAY)])
    store.open_incident(Incident("threat:x:1", "threat", "critical", "Amenaza\nBcc: x@evil.example", "e",
                                 evidence=["x:1"]), WORKDAY)
    tick(config, store, WORKDAY)
    msg = smtp.messages[0]
    body = smtp.bodies()[0]
    assert not any(line.startswith("Acusar recibo: http://evil") for line in body.splitlines())
    assert not any(line.startswith("Resolver: http://evil") for line in body.splitlines())
    assert "\u202e" not in body and "Bcc" not in str(msg.get("Bcc", "")) and "\n" not in str(msg["Subject"])


def test_a_page_says_in_the_institutions_words_and_time_what_happened_and_who_is_next(config, store, smtp):
    """Severity in words, local times with the zone, the post with its author and reach,
    who was paged and who comes next at what time, and until when the links work."""
    at = WORKDAY  # a weekday, 10:00 in Mexico City
    store.upsert_mentions([Mention("x", "1", "Mañana ponemos una bomba en la sede", Author("anonimo", followers=1234),
                                   at - timedelta(minutes=7), url="https://x.com/anonimo/status/1")])
    inc, _ = store.open_incident(Incident("threat:x:1", "threat", "critical", "Amenaza violenta de @anonimo",
                                          "Amenaza creíble", evidence=["x:1"]), at)
    tick(config, store, at)
    msg, body = smtp.messages[0], smtp.bodies()[0]
    assert msg["Subject"] == "[escucha] CRÍTICO: Amenaza violenta de @anonimo"
    local = at.astimezone(config.tz)
    assert f"abierto el {local:%Y-%m-%d %H:%M} (America/Mexico_City)" in body
    assert f"@anonimo (1,234 seguidores), {(local - timedelta(minutes=7)):%Y-%m-%d %H:%M}" in body
    assert "Ya avisados: nadie todavía." in body
    nxt = (local + timedelta(minutes=5)).strftime("%H:%M")
    assert f"Si nadie acusa recibo, se avisará a rol seguridad a las {nxt}." in body
    assert f"Los enlaces vencen el {(local + timedelta(hours=24)):%Y-%m-%d %H:%M} (America/Mexico_City)." in body
    assert "CRITICAL" not in body and "Acknowledge" not in body
    # The next step's page names who was paged before.
    tick(config, store, at + timedelta(minutes=6))
    later = smtp.bodies()[1:]
    assert later and all("Ya avisados: Ana Torres (Directora de Comunicación Social)" in b for b in later)


def test_what_detection_writes_reaches_a_spanish_page_in_spanish_words(config, store, smtp):
    """The real scorer and detectors, end to end: the page of a threat and of a spike says
    what happened in the institution's words, with no English, pattern id or threshold."""
    from escucha import pipeline

    at = WORKDAY
    posts = [Mention("x", "1", "el domingo voy a balacear la casilla del centro @IEN_Oficial", Author("malo"),
                     at - timedelta(minutes=3), accounts=("x:@IEN_Oficial",), url="https://x.com/malo/status/1")]
    posts += [Mention("x", f"q{i}", f"la página del instituto no carga, pésimo servicio {i} @IEN_Oficial",
                      Author(f"u{i}", followers=10), at - timedelta(days=2, minutes=i), accounts=("x:@IEN_Oficial",))
              for i in range(3)]
    posts += [Mention("x", f"s{i}", f"qué vergüenza, el sistema del instituto está caído otra vez {i} @IEN_Oficial",
                      Author(f"s{i}", followers=10), at - timedelta(minutes=50 - i), accounts=("x:@IEN_Oficial",))
              for i in range(25)]
    store.upsert_mentions(posts)
    pipeline.classify_new(config, store)
    pipeline.detect_incidents(config, store, at)
    kinds = {i.kind for i in store.incidents()}
    assert "threat" in kinds, kinds
    tick(config, store, at)
    bodies = smtp.bodies()
    assert bodies
    for body in bodies:
        for english in ("threat", "Threat", "pattern", "score", "Credible", "CRITICAL", "spike", "mentions of",
                        "expected", "followers", "Most read"):
            assert english not in body, (english, body)
        assert not re.search(r"\b(es|en|fr)\.[a-z_]{3,}", body), body  # a pattern id
        assert not re.search(r"\d\.\d+ ?>=?|cosine|usual rate", body), body  # a score against a threshold
    assert any("Amenaza violenta" in b and "«el domingo voy a balacear" in b for b in bodies)


def test_a_link_is_short_its_token_in_the_path_and_a_shortened_signature_is_refused(config, store, smtp):
    from escucha.links import make_link, token_params

    inc = _open(store, config, WORKDAY)
    link = make_link(config.links, inc.id, "marta", "resolve", WORKDAY)
    token = link.rsplit("/a/", 1)[1]
    assert link.startswith(config.links.base_url.rstrip("/") + "/a/") and "?" not in link
    assert len(token) <= 64, "fits an SMS beside the page's words"
    params = token_params(token)
    assert (params["i"], params["m"], params["a"]) == (str(inc.id), "marta", "resolve")
    for cut in (params["s"][:-1], params["s"][:8], ""):
        assert act_on_link(config, store, dict(params, s=cut), WORKDAY).code == "signature"
    assert token_params("not-a-token") == {} and act_on_link(config, store, {}, WORKDAY).code == "incomplete"
    assert act_on_link(config, store, params, WORKDAY).ok
