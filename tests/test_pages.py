"""A page written for the channel it goes through: an HTML e-mail with a large acknowledge
button (and its plain-text part), one SMS of 160 GSM-7 characters through a real SMS gateway
protocol on loopback (SMSEagle's JSON-RPC), and a short chat message."""
import re
from dataclasses import replace
from datetime import timedelta

from alerting.escalation import compose, tick
from alerting.pages import CHAT_LIMIT, GSM, SMS_LIMIT, gsm, kind_of
from escucha.config import Contact
from escucha.links import links_in
from escucha.records import Author, Incident, Mention
from replay.sms import SMSGateway

from .conftest import utc

NOW = utc(2026, 11, 10, 9, 5)  # 03:05 in Mexico City
EVIL = '<script>alert("x")</script> El domingo va a haber sangre en la casilla'


def _incident(store, title="Amenaza violenta de @malo", text=EVIL):
    store.upsert_mentions([Mention("x", "1", text, Author("malo", followers=12400), NOW - timedelta(minutes=4),
                                   url="https://x.com/malo/status/1")])
    inc, _ = store.open_incident(Incident("threat:x:1", "threat", "critical", title,
                                          "Amenaza violenta creíble: «El domingo va a haber sangre»", evidence=["x:1"]),
                                 NOW - timedelta(minutes=3))
    return inc


def _with_contacts(config, member_id, *urls):
    members = tuple(replace(m, contacts=tuple(Contact("TEST", u) for u in urls)) if m.id == member_id else m
                    for m in config.members)
    return replace(config, members=members)


def test_an_email_page_is_html_with_a_large_button_and_a_plain_part_with_the_links(config, store, smtp):
    _incident(store)
    tick(config, store, NOW)
    msg = smtp.messages[0]
    assert msg.get_content_type() == "multipart/alternative"
    html = msg.get_body(preferencelist=("html",)).get_content()
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    button = re.search(r'<a href="(http[^"]+/a/[^"]+)"[^>]*font-size:20px[^>]*>Acusar recibo</a>', html)
    assert button, "one large acknowledge button"
    assert links_in(button.group(1))["ack"]["m"] == "ana"
    assert re.search(r'<a href="[^"]+/a/[^"]+"[^>]*>Resolver</a>', html)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "CRÍTICO" in html and "abierto el 2026-11-10 03:02 (America/Mexico_City)" in html
    assert "12,400 seguidores), 2026-11-10 03:01" in html
    assert set(links_in(plain)) == {"ack", "resolve"} and "Los enlaces vencen el" in plain
    assert msg["Subject"] == "[escucha] CRÍTICO: Amenaza violenta de @malo"


def test_an_sms_page_is_one_gsm_message_through_a_real_gateway_and_a_dead_gateway_falls_through(config, store,
                                                                                                 smtp):
    with SMSGateway() as sms:
        cfg = _with_contacts(config, "ana", sms.url_for("+5215550100"), smtp.url_for("ana@ien.example.org"))
        long_title = "Amenaza violenta de @" + "x" * 200
        inc = _incident(store, title=long_title)
        tick(cfg, store, NOW)
        assert len(sms.messages) == 1 and not smtp.messages, "the SMS was accepted: the e-mail is not needed"
        phone, text = sms.messages[0]
        assert phone == "+5215550100"
        assert len(text) <= SMS_LIMIT and set(text) <= GSM, text
        assert text.startswith("CRITICO IEN: Amenaza violenta de @xxx") and "..." in text
        assert links_in(text)["ack"]["i"] == str(inc.id)
        assert [d.channel.split("://")[0] for d in store.deliveries(inc.id) if d.status == "sent"] == ["smseagle"]

        sms.down = True  # out of credit: the next step's member (Marta at 03:10) is reached by e-mail
        cfg = _with_contacts(cfg, "marta", sms.url_for("+5215550101"), smtp.url_for("marta@ien.example.org"))
        tick(cfg, store, NOW + timedelta(minutes=5))
        failed = [d for d in store.deliveries(inc.id) if d.member == "marta" and d.status == "failed"]
        assert failed and failed[0].channel.startswith("smseagle")
        assert "marta@ien.example.org" in [r for _, rcpt in smtp.envelopes for r in rcpt]
        assert len(sms.messages) == 1


def test_a_chat_page_is_short_and_a_drill_says_so_on_every_channel(config, store):
    inc = _incident(store, text="x " * 5000)
    page = compose(config, store.incident(inc.id), "ana", NOW, store, 0)
    title, chat, fmt = page.render("chat")
    assert len(chat) <= CHAT_LIMIT and set(links_in(chat)) == {"ack", "resolve"} and fmt == "text" and not title
    drill = compose(replace(config, drill=True), store.incident(inc.id), "ana", NOW, store, 0)
    assert drill.render("sms")[1].startswith("SIMULACRO CRITICO")
    assert drill.render("chat")[1].startswith("SIMULACRO") and drill.subject.startswith("[SIMULACRO]")
    assert "SIMULACRO" in drill.render("email")[1] and drill.render("text")[1].count("SIMULACRO") == 2


def test_channel_kinds_and_the_gsm_alphabet():
    assert [kind_of(u) for u in ("mailto://a", "mailtos://b", "smseagle://t@h/+1", "twilio://a", "tgram://bot/1",
                                 "whatsapp://x", "json://h/p", "slack://a/b/c")] == \
        ["email", "email", "sms", "sms", "chat", "chat", "text", "text"]
    assert gsm("CRÍTICO «sí» — Ñandú ¿ok? 漢") == 'CRITICO "si" - Ñandu ¿ok? ?'


def _many(store, severities):
    incidents = []
    for n, severity in enumerate(severities):
        store.upsert_mentions([Mention("x", f"m{n}", f"publicación {n}", Author(f"autor{n}"), NOW)])
        inc, _ = store.open_incident(Incident(f"k{n}", "threat", severity, f"Incidente número {n}", "e",
                                              evidence=[f"x:m{n}"]), NOW)
        incidents.append(inc)
    return incidents


def test_several_incidents_at_once_reach_a_member_as_one_digest_with_each_ones_links(config, store, smtp):
    from replay.mailbox import free_port

    dead = f"mailto://127.0.0.1:{free_port()}?from=alertas@ien.example.org&to=ana@ien.example.org&mode=insecure"
    cfg = _with_contacts(config, "ana", dead, smtp.url_for("ana@ien.example.org"))
    incidents = _many(store, ["high", "critical", "high", "critical"])
    tick(cfg, store, NOW)
    assert len(smtp.messages) == 1, "one digest, not four pages"
    msg = smtp.messages[0]
    assert msg["Subject"] == "[escucha] 4 incidentes a la vez (2 CRÍTICO, 2 ALTO)"
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    assert plain.index("CRÍTICO · Incidente número 1") < plain.index("ALTO · Incidente número 0"), "most severe first"
    acks = {int(p["i"]) for p in _all_links(plain, "ack")}
    assert acks == {i.id for i in incidents}
    for inc in incidents:  # each incident has its delivery: the dead method failed, the second one sent
        got = sorted((d.channel.split(":")[0], d.status) for d in store.deliveries(inc.id))
        assert [s for _, s in got] == ["failed", "sent"], got
    tick(cfg, store, NOW + timedelta(minutes=1))
    assert len(smtp.messages) == 1, "nothing paged twice"
    first = _all_links(plain, "ack")[0]
    from escucha.pipeline import act_on_link
    assert act_on_link(cfg, store, first, NOW + timedelta(minutes=2)).ok
    assert sum(store.incident(i.id).status == "acknowledged" for i in incidents) == 1, "a link acts on its own incident"


def test_two_incidents_at_once_are_two_pages_unless_they_were_opened_from_the_same_post(config, store, smtp):
    _many(store, ["critical", "high"])
    tick(config, store, NOW)
    assert len(smtp.messages) == 2 and all("a la vez" not in m["Subject"] for m in smtp.messages)
    # A post that threatens and spreads a rumour opens two incidents: one message about it.
    store.upsert_mentions([Mention("x", "both", "la vacuna mata y vamos a quemar la sede", Author("malo"), NOW)])
    for key, kind, severity in (("threat:both", "threat", "critical"), ("new:vacuna", "narrative", "high")):
        store.open_incident(Incident(key, kind, severity, f"Incidente {kind}", "e", evidence=["x:both"]), NOW)
    tick(config, store, NOW + timedelta(minutes=1))
    assert len(smtp.messages) == 3 and smtp.messages[-1]["Subject"] == "[escucha] 2 incidentes a la vez (1 CRÍTICO, 1 ALTO)"


def _all_links(text, action):
    from escucha.links import token_params

    return [token_params(u.rsplit("/a/", 1)[1]) for u in re.findall(r"https?://[^\s<>\"']+/a/[^\s<>\"']+", text)
            if token_params(u.rsplit("/a/", 1)[1]).get("a") == action]


def test_a_digest_fits_an_sms_and_a_chat_message(config, store):
    from alerting.pages import Digest

    incidents = _many(store, ["critical"] * 12)
    pages = [compose(config, i, "ana", NOW, store, 0) for i in incidents]
    for p in pages:
        p.explanation = "y " * 600
    d = Digest(pages)
    _, sms, _ = d.render("sms")
    assert len(sms) <= SMS_LIMIT and set(sms) <= GSM and sms.startswith("IEN: 12 incidentes a la vez (12 CRITICO)")
    _, chat, _ = d.render("chat")
    assert len(chat) <= CHAT_LIMIT and "ack" in links_in(chat)


def test_a_member_who_reads_english_gets_english_pages_and_a_wrong_language_is_named(config, store, smtp):
    from escucha.config import ConfigError, parse

    from .conftest import EXAMPLE, example_dict

    members = tuple(replace(m, lang="en") if m.id == "ana" else m for m in config.members)
    inc = _incident(store)
    tick(replace(config, members=members), store, NOW)
    msg = smtp.messages[0]
    assert msg["Subject"] == "[escucha] CRITICAL: Amenaza violenta de @malo"
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Acknowledge" in plain and "The links expire on" in plain and "Acusar" not in plain
    assert compose(config, store.incident(inc.id), "luis", NOW, store, 1).severity == "CRÍTICO"
    from dashboards.web.app import App

    from .test_web_login import call

    app = App(replace(config, members=members), store, clock=lambda: NOW)
    link = links_in(plain)["ack"]
    token = re.search(r"/a/(\S+)", plain).group(1)
    status, _, page = call(app, "/a/" + token)
    assert status.startswith("200") and "Acknowledge" in page and 'lang="en"' in page and link["m"] == "ana"
    data = example_dict()
    data["committee"]["members"][0]["lang"] = "pt"
    try:
        parse(data, str(EXAMPLE), env={k: "x" for k in ()})
    except ConfigError as exc:
        assert "committee.members[0].lang: must be one of es, en, fr; got 'pt'" in str(exc)
    else:
        raise AssertionError("a language escucha does not speak must be refused")


def test_a_digest_that_breaks_leaves_every_incident_paged_on_its_own(config, store, smtp, monkeypatch):
    import alerting.escalation as esc

    def broken(*a, **k):
        raise RuntimeError("a bug in the digest")

    monkeypatch.setattr(esc, "Digest", broken)
    incidents = _many(store, ["critical"] * 4)
    tick(config, store, NOW)
    assert len(smtp.messages) == 0 or all("a la vez" not in m["Subject"] for m in smtp.messages)
    tick(config, store, NOW + esc.STALE_SEND)  # the claims the broken digest left are sent on their own
    reached = {i.id for i in incidents if any(d.status == "sent" for d in store.deliveries(i.id))}
    assert reached == {i.id for i in incidents}
