"""Detectors on known data: spikes against a baseline, a hijacked own account, narratives,
and the unanswered work list."""
from dataclasses import replace
from datetime import timedelta

from alerting.campaigns import detect_campaigns
from alerting.detect import detect_hijack, detect_narratives, detect_spikes
from escucha import pipeline
from escucha.records import Author, Classification, Flag, Mention

from .conftest import utc

T0 = utc(2026, 11, 10, 0)


def mk(i, at, text="queja", own=False, handle=None, followers=10, labels=None, flags=(), **kw):
    m = Mention("x", str(i), text, Author(handle or f"u{i}", followers=followers), at, accounts=("x:@IEN_Oficial",),
                own=own, **kw)
    return m, Classification(m.id, "v", {}, {"sentiment": "negative", **(labels or {})}, tuple(flags))


def test_spike_against_the_baseline_is_explained_in_words(config):
    items = [mk(i, T0 + timedelta(hours=i % 48, minutes=i % 7)) for i in range(96)]  # 2 an hour for two days
    items += [mk(1000 + i, T0 + timedelta(hours=50, minutes=i % 60)) for i in range(40)]
    found = detect_spikes(config, items, T0 + timedelta(hours=51))
    assert len(found) == 1
    inc = found[0]
    assert inc.key == "spike:x:@IEN_Oficial:2026-11-12T02:00" and len(inc.evidence) == 40
    assert "40 menciones negativas de x:@IEN_Oficial en una hora, cuando lo habitual es 2" in inc.explanation


def test_a_spike_is_seen_as_it_builds_across_clock_hours_and_a_later_one_is_another_incident(config):
    base = [mk(i, T0 + timedelta(hours=i % 48, minutes=i % 7)) for i in range(48)]  # 1 an hour for two days
    # 12 in the 40 minutes around a clock hour (6 before it, 6 after): no clock hour holds more than 6.
    burst = [mk(100 + i, T0 + timedelta(hours=50, minutes=40 + 4 * i)) for i in range(12)]
    found = detect_spikes(config, base + burst, T0 + timedelta(hours=51, minutes=30))
    assert len(found) == 1 and set(found[0].evidence) == {f"x:{100 + i}" for i in range(12)}
    again = [mk(200 + i, T0 + timedelta(hours=75, minutes=3 * i)) for i in range(15)]
    keys = {i.key for i in detect_spikes(config, base + burst + again, T0 + timedelta(hours=76))}
    assert len(keys) == 2, "a spike a day later is a new incident, not more evidence for the first"


def test_sensitivity_presets(config):
    items = [mk(i, T0 + timedelta(hours=i % 72)) for i in range(432)]  # 6 an hour, steady
    assert detect_spikes(config, items, T0 + timedelta(hours=72)) == []
    burst = items + [mk(1000 + i, T0 + timedelta(hours=73, minutes=i)) for i in range(20)]  # 20: 3.3 times
    assert len(detect_spikes(config, burst, T0 + timedelta(hours=74))) == 1  # normal: 3 times the baseline
    low = replace(config, detection=replace(config.detection, sensitivity="low"))
    assert detect_spikes(low, burst, T0 + timedelta(hours=74)) == []  # low: 4 times


def _own_history(n=10):
    """The account's usual week: notices at office hours (09-14h local), links to its own site."""
    return [mk(100 + i, T0 + timedelta(days=i % 5, hours=15 + i % 6), f"Aviso {i}: horarios en https://ien.example.org/a{i}",
               own=True, handle="IEN_Oficial", lang="es", source="Hootsuite") for i in range(n)]


def test_a_takeover_is_what_departs_from_the_accounts_own_posts(config, store, smtp):
    from alerting.escalation import tick

    at = T0 + timedelta(days=6, hours=9)  # 03h local: an hour the account never posts at
    scam = mk(1, at, "Sorteo: envía 0.1 BTC a nuestra wallet y recibe el doble https://ien-giveaway.example.com",
              own=True, handle="IEN_Oficial", lang="es", source="Hootsuite")
    incs = detect_hijack(config, _own_history() + [scam], at)
    assert [i.key for i in incs] == ["hijack:x:@IEN_Oficial"] and incs[0].severity == "critical"
    why = incs[0].explanation
    assert "un enlace a ien-giveaway.example.com, nunca usado antes" in why and "palabras de dinero o criptomonedas" in why
    assert "una hora a la que nunca publica (03 h)" in why
    store.upsert_mentions([scam[0]])
    store.open_incident(incs[0], at)
    tick(config, store, at)
    assert [r[0] for _, r in smtp.envelopes] == ["jorge@ien.example.org"], "the account's own contact first"
    for minutes in (5, 10, 15):  # role:comunicacion (ana), then the critical policy, which starts with ana
        tick(config, store, at + timedelta(minutes=minutes))
    got = [r[0].split("@")[0] for _, r in smtp.envelopes]
    assert got[:2] == ["jorge", "ana"] and got.count("ana") == 1, got


def test_the_labels_of_an_own_post_alone_open_no_takeover(config):
    """A debunk quotes the claim it answers and the model may call it offensive; a notice
    resembles a threat. One signal is no takeover."""
    at = T0 + timedelta(days=6, hours=16)  # 10h local, as usual
    debunk = mk(1, at, "FALSE: the claim that 'the institute burned ballots' is a lie. Facts: https://ien.example.org/a1",
                own=True, handle="IEN_Oficial", lang="es", source="Hootsuite", labels={"offensive": "offensive"})
    possible = Flag("threat", "possible_threat", 0.8, "8 of its 10 nearest written examples are threats")
    notice = mk(2, at, "Los módulos abren este sábado de 9 a 15", own=True, handle="IEN_Oficial", lang="es",
                source="Hootsuite", labels={"threat": "threat"}, flags=(possible,))
    assert detect_hijack(config, _own_history() + [debunk, notice], at) == []


def test_a_threat_from_the_own_account_pages_as_a_threat(config):
    from alerting.detect import detect_threats

    at = T0 + timedelta(hours=15)
    pattern = Flag("threat", "threat", 0.99, "matched threat pattern(s): es.quemar_lugar")
    possible = Flag("threat", "possible_threat", 0.8, "8 of its 10 nearest written examples are threats")
    threat = mk(2, at, "Voy a quemar el instituto", own=True, handle="IEN_Oficial", labels={"threat": "threat"},
                flags=(pattern,))
    notice = mk(3, at, "Los módulos abren este sábado", own=True, handle="IEN_Oficial", labels={"threat": "threat"},
                flags=(possible,))
    found = detect_threats(config, [threat, notice], at)
    assert [i.severity for i in found] == ["critical"] and found[0].evidence == ["x:2"]


def test_narrative_needs_authors_or_one_high_reach_author(config):
    flag = Flag("misinformation", "fake", 0.95, "claim", evidence="boletas-destruidas")
    two = [mk(i, T0, "destruyó boletas", labels={"misinformation": "fake"}, flags=(flag,)) for i in range(2)]
    assert detect_narratives(config, two, T0) == []
    big = two + [mk(9, T0, "destruyó boletas", followers=900_000, labels={"misinformation": "fake"}, flags=(flag,))]
    found = detect_narratives(config, big, T0)
    assert len(found) == 1 and "una cuenta de gran alcance, @u9" in found[0].explanation
    assert "resguardo militar" in found[0].explanation


def test_unanswered_list(config, store):
    now = T0 + timedelta(hours=60)
    ask = {"request": "question"}
    rows = [mk(1, T0, "¿dónde voto?", labels={"sentiment": "neutral", **ask}), mk(2, T0, "¿y mi credencial?", labels=ask),
            mk(3, now - timedelta(hours=2), "¿horario?", labels=ask), mk(4, T0, "gracias", labels={"sentiment": "positive"}),
            mk(6, T0, "¿Y ustedes para qué sirven? ineptos", labels={"offensive": "offensive", "request": "none"}),
            mk(7, T0, "¿Sabían que destruyeron boletas?", labels={"claim": "assertion", **ask})]
    reply = mk(5, T0 + timedelta(hours=3), "@u2 aquí", own=True, handle="IEN_Oficial", in_reply_to="x:2")
    store.upsert_mentions([m for m, _ in rows + [reply]])
    store.save_classifications([c for _, c in rows + [reply]])
    out = pipeline.unanswered(config, store, now)
    assert [r["id"] for r in out] == ["x:1"] and out[0]["waiting_hours"] == 60.0


def test_a_threat_collected_late_is_a_crisis_all_the_same(config, store):
    """A threat posted weeks before it was collected (a backfill, a source that was down)
    pages like a fresh one; a rumour that old counts toward no narrative."""
    now = T0 + timedelta(days=30)
    flag = Flag("threat", "threat", 0.99, "matched threat pattern(s): es.lugar")
    old = [mk(1, T0, "El domingo va a haber sangre en la catedral", labels={"threat": "threat"}, flags=(flag,))]
    old += [mk(10 + i, T0 + timedelta(minutes=i), "el instituto destruyó boletas", followers=50_000,
               labels={"misinformation": "fake"}) for i in range(6)]
    store.upsert_mentions([m for m, _ in old])
    store.save_classifications([c for _, c in old])
    got = pipeline.detect_incidents(config, store, now)
    incidents = [store.incident(i) for i in got["opened"]]
    assert [(i.kind, i.severity, i.evidence) for i in incidents] == [("threat", "critical", ["x:1"])]
    assert store.undetected_ids() == set()
    # Seen once, it is not opened again by the next pass.
    assert pipeline.detect_incidents(config, store, now + timedelta(hours=1))["opened"] == []


def test_small_volume_spike_against_a_quiet_account_and_no_spike_on_a_busy_one(config):
    # Below 1 negative post an hour for two weeks, then 10 in one hour: a spike.
    quiet = [mk(i, T0 + timedelta(hours=3 * i)) for i in range(100)]  # one every 3 hours
    # (the hour before the burst, a week earlier, held no post: the usual rate is the mean one)
    burst = [mk(1000 + i, T0 + timedelta(hours=302, minutes=5 * i), f"la página del instituto no carga {i}")
             for i in range(10)]
    found = detect_spikes(config, quiet + burst, T0 + timedelta(hours=303))
    assert len(found) == 1 and len(found[0].evidence) == 10
    assert "carga" in found[0].explanation and "cuando lo habitual es menos de una" in found[0].explanation
    # 40 in an hour where 35 is the usual: no spike.
    busy = [mk(i, T0 + timedelta(hours=i // 35, minutes=i % 35)) for i in range(35 * 48)]
    more = [mk(10_000 + i, T0 + timedelta(hours=48, minutes=i)) for i in range(40)]
    assert detect_spikes(config, busy + more, T0 + timedelta(hours=49)) == []


def test_on_the_first_day_a_spike_must_change_the_mix_not_only_the_volume(config):
    def calm(i, at):  # a neutral mention: it counts in the account's volume, not as negative
        m, c = mk(i, at)
        return m, replace(c, labels={"sentiment": "neutral"})

    # Ten quiet hours: a mention every 20 minutes, one in six negative.
    start = [calm(i, T0 + timedelta(minutes=20 * i)) if i % 6 else mk(i, T0 + timedelta(minutes=20 * i))
             for i in range(30)]
    # Then an outage: 14 of the next hour's 16 mentions are negative. Day one: no hourly baseline yet.
    burst = [mk(100 + i, T0 + timedelta(hours=10, minutes=4 * i)) if i % 8 else
             calm(100 + i, T0 + timedelta(hours=10, minutes=4 * i)) for i in range(16)]
    found = detect_spikes(config, start + burst, T0 + timedelta(hours=11))
    assert len(found) == 1 and len(found[0].evidence) == 14
    # The evening rush of a new account: eight times the volume, negative in the same share as
    # before. The negative rate alone would call it a spike; the mix says it is a busier hour.
    rush = [mk(200 + i, T0 + timedelta(hours=10, minutes=i)) if i % 6 == 0 else
            calm(200 + i, T0 + timedelta(hours=10, minutes=i)) for i in range(48)]
    assert detect_spikes(config, start + rush, T0 + timedelta(hours=11)) == []
    # Within the first hour there is nothing to compare with.
    assert detect_spikes(config, burst, T0 + timedelta(hours=11)) == []


def test_a_new_rumour_not_in_the_register_opens_a_narrative(config):
    claim = {"claim": "assertion"}
    posts = [mk(1, T0, "La agencia destruyó las vacunas del lote 7 y lo ocultan", labels=claim),
             mk(2, T0 + timedelta(minutes=20), "Confirmado: la agencia destruyó vacunas del lote 7", labels=claim),
             mk(3, T0 + timedelta(minutes=30), "¿Es cierto que la agencia destruyó las vacunas del lote 7?",
                labels={"claim": "question"}),
             mk(4, T0 + timedelta(minutes=40), "FALSO: la agencia no destruyó vacunas del lote 7",
                labels={"claim": "debunk"})]
    assert detect_narratives(config, posts, T0 + timedelta(hours=1)) == []  # 2 authors assert it: not yet
    third = mk(5, T0 + timedelta(minutes=50), "Las vacunas del lote 7 las destruyó la agencia, qué vergüenza",
               labels=claim)
    found = detect_narratives(config, posts + [third], T0 + timedelta(hours=1))
    assert len(found) == 1 and found[0].key == "narrative:new:x:1" and found[0].severity == "high"
    assert sorted(found[0].evidence) == ["x:1", "x:2", "x:3", "x:4", "x:5"]
    assert "3 publicaciones de 3 autores la afirman" in found[0].explanation and "2 preguntas o desmentidos" in found[0].explanation
    assert "Entrada sugerida para el registro" in found[0].explanation
    # One high-reach author asserting it is enough; a complaint is no claim.
    big = mk(6, T0, "The ministry secretly deleted the vaccine records", followers=800_000, labels=claim)
    complaint = mk(7, T0, "la página no carga desde ayer", labels={"claim": "none"})
    found = detect_narratives(config, [big, complaint], T0)
    assert [f.key for f in found] == ["narrative:new:x:6"] and "una cuenta de gran alcance, @u6" in found[0].explanation


def test_two_wordings_of_one_rumour_that_a_post_ties_together_are_one_narrative(config):
    claim = {"claim": "assertion"}
    # Two wordings with too few words in common to meet, each asserted by two authors...
    posts = [mk(1, T0, "Borraron del padrón a los votantes de la comuna norte", labels=claim),
             mk(2, T0 + timedelta(minutes=5), "Borraron del padrón a votantes de la comuna norte, vergüenza", labels=claim),
             mk(3, T0 + timedelta(minutes=10), "Mi vecina fue eliminada del registro sin aviso, fraude total",
                labels=claim),
             mk(4, T0 + timedelta(minutes=15), "Eliminada del registro sin aviso mi vecina: fraude total", labels=claim)]
    assert detect_narratives(config, posts, T0 + timedelta(hours=1)) == []  # two stories, two authors each
    # ...until a third author asserts both in one post: one story, three authors, one incident.
    bridge = mk(5, T0 + timedelta(minutes=20), "Borraron del padrón a los votantes de la comuna norte: eliminada "
                "del registro sin aviso hasta mi vecina", labels=claim)
    found = detect_narratives(config, posts + [bridge], T0 + timedelta(hours=1))
    assert len(found) == 1 and found[0].key == "narrative:new:x:1"
    assert sorted(found[0].evidence) == ["x:1", "x:2", "x:3", "x:4", "x:5"]


def test_a_narrative_open_before_its_two_wordings_met_goes_on_as_itself(config, store):
    from alerting.detect import detect

    claim = {"claim": "assertion"}
    first = [mk(1, T0, "Borraron del padrón a los votantes de la comuna norte", labels=claim),
             mk(2, T0 + timedelta(minutes=5), "Borraron del padrón a votantes de la comuna norte, vergüenza",
                labels=claim),
             # the other wording, asserted by an account with a large audience: it opens at once
             mk(3, T0 + timedelta(minutes=10), "Mi vecina fue eliminada del registro sin aviso, fraude total",
                labels=claim, followers=900_000)]
    store.upsert_mentions([m for m, _ in first])
    store.save_classifications([c for _, c in first])
    opened = detect(config, store, T0 + timedelta(minutes=15), {m.id for m, _ in first})
    assert [i.key for i in opened] == ["narrative:new:x:3"]
    store.open_incident(opened[0], T0 + timedelta(minutes=15))
    bridge = mk(5, T0 + timedelta(minutes=20), "Borraron del padrón a los votantes de la comuna norte: eliminada "
                "del registro sin aviso hasta mi vecina", labels=claim)
    store.upsert_mentions([bridge[0]])
    store.save_classifications([bridge[1]])
    later = detect(config, store, T0 + timedelta(minutes=25), {"x:5"})
    assert [i.key for i in later] == ["narrative:new:x:3"], "the open incident grows; no second one opens"
    assert sorted(later[0].evidence) == ["x:1", "x:2", "x:3", "x:5"]


def _abuse(i, at, text, handle=None, **kw):
    return mk(i, at, text, handle=handle, labels={"offensive": "offensive"}, **kw)


def test_a_harassment_campaign_against_a_person_is_one_incident(config):
    """Abuse of one person by distinct authors: by full name, by surname alone, and by the
    replies to her own account's post, all one campaign; abuse of the institution is not one."""
    at = T0 + timedelta(hours=10)
    her = mk(1, at, "Hoy presentamos el informe anual", handle="sofia_paredes", labels={})
    her = (replace(her[0], author=replace(her[0].author, display_name="Sofía Paredes Luna")), her[1])
    items = [her,
             _abuse(2, at + timedelta(hours=1), "Sofía Paredes Luna es una inútil, a la cocina"),
             _abuse(3, at + timedelta(hours=2), "la tal Paredes Luna no sirve para nada, lárgate"),
             _abuse(4, at + timedelta(hours=3), "@sofia_paredes vieja ridícula", in_reply_to="x:1"),
             _abuse(5, at + timedelta(hours=4), "cállate ya, mujer inútil", in_reply_to="x:1"),
             # the institution itself and its own account are not people to campaign against
             *[_abuse(10 + i, at + timedelta(hours=i), f"@IEN_Oficial instituto de inútiles {i}") for i in range(6)]]
    now = at + timedelta(hours=5)
    found = detect_campaigns(config, items, now)
    assert [i.kind for i in found] == ["campaign"], [i.title for i in found]
    inc = found[0]
    assert set(inc.evidence) == {"x:2", "x:3", "x:4", "x:5"} and inc.severity == "high"
    assert "4 publicaciones hostiles de 4 autores" in inc.explanation
    # three authors are not yet a campaign; and old abuse falls out of the window
    assert detect_campaigns(config, items[:4], now) == []
    assert detect_campaigns(config, items, now + timedelta(hours=60)) == []


def test_a_campaign_with_a_paging_threat_is_critical(config):
    at = T0 + timedelta(hours=10)
    items = [_abuse(i, at + timedelta(minutes=i), f"Laura Méndez es basura {i}") for i in range(3)]
    items.append(mk(9, at + timedelta(minutes=9), "a Laura Méndez le vamos a dar un tiro",
                    labels={"threat": "threat"}))
    found = detect_campaigns(config, items, at + timedelta(hours=1))
    assert [(i.key, i.severity) for i in found] == [("campaign:name:laura-mendez", "critical")]


def test_a_spike_made_of_a_rumour_is_the_rumour_growing_not_a_second_incident(config, store):
    from alerting.detect import detect

    quiet = [mk(i, T0 + timedelta(hours=i)) for i in range(48)]  # one negative post an hour
    claim = {"claim": "assertion"}
    rumour = [mk(100 + i, T0 + timedelta(hours=50, minutes=4 * i), f"la agencia destruyó las vacunas del lote 7 ({i})",
                 labels=claim) for i in range(12)]
    items = quiet + rumour
    store.upsert_mentions([m for m, _ in items])
    store.save_classifications([c for _, c in items])
    now = T0 + timedelta(hours=51)
    found = detect(config, store, now, {m.id for m, _ in items})
    assert [i.kind for i in found] == ["narrative"], [i.title for i in found]
    assert {m.id for m, _ in rumour} <= set(found[0].evidence)
    # Without the rumour, the same burst of complaints is a spike.
    complaints = [(m, replace(c, labels={"sentiment": "negative"})) for m, c in rumour]
    store.save_classifications([c for _, c in complaints])
    assert [i.kind for i in detect(config, store, now, {m.id for m, _ in items})] == ["spike"]


def test_an_angry_and_abusive_burst_is_one_spike(config):
    base = [mk(i, T0 + timedelta(hours=i)) for i in range(48)]
    angry = [mk(100 + i, T0 + timedelta(hours=50, minutes=3 * i)) for i in range(12)]
    abusive = [mk(200 + i, T0 + timedelta(hours=50, minutes=20 + 3 * i), labels={"offensive": "offensive"})
               for i in range(12)]
    found = detect_spikes(config, base + angry + abusive, T0 + timedelta(hours=52))
    assert len(found) == 1 and "negativas, de odio u ofensivas" in found[0].title
    assert {f"x:{100 + i}" for i in range(12)} | {f"x:{200 + i}" for i in range(12)} <= set(found[0].evidence)
