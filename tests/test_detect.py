"""Detectors on known data: spikes against a baseline, a hijacked own account, narratives,
and the unanswered work list."""
from dataclasses import replace
from datetime import timedelta

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
    assert inc.key == "spike:x:@IEN_Oficial:negative" and len(inc.evidence) == 40
    assert "40 negative mentions of x:@IEN_Oficial" in inc.explanation and "2 expected" in inc.explanation


def test_sensitivity_presets(config):
    items = [mk(i, T0 + timedelta(hours=i % 72)) for i in range(432)]  # 6 an hour, steady
    assert detect_spikes(config, items, T0 + timedelta(hours=72)) == []
    burst = items + [mk(1000 + i, T0 + timedelta(hours=73, minutes=i)) for i in range(20)]  # 20: 3.3 times
    assert len(detect_spikes(config, burst, T0 + timedelta(hours=74))) == 1  # normal: 3 times the baseline
    low = replace(config, detection=replace(config.detection, sensitivity="low"))
    assert detect_spikes(low, burst, T0 + timedelta(hours=74)) == []  # low: 4 times


def test_hijacked_account_routes_to_its_own_contacts(config, store, smtp):
    from alerting.escalation import tick

    m, c = mk(1, T0 + timedelta(hours=9), "Voy a quemar el instituto con todos adentro", own=True,
              handle="IEN_Oficial", labels={"threat": "threat"})
    incs = detect_hijack(config, [(m, c)], T0 + timedelta(hours=10))
    assert [i.key for i in incs] == ["hijack:x:@IEN_Oficial"] and incs[0].severity == "critical"
    assert "at an unusual hour (03h local)" in incs[0].explanation
    store.upsert_mentions([m])
    inc, _ = store.open_incident(incs[0], T0 + timedelta(hours=10))
    tick(config, store, T0 + timedelta(hours=10))
    assert [r[0] for _, r in smtp.envelopes] == ["jorge@ien.example.org"], "the account's own contact first"


def test_own_notice_that_only_resembles_threats_is_no_hijack(config):
    """The account's own notice flagged only by the written-examples vote (a possible
    threat) does not open the hacked-account protocol; a pattern or the head would."""
    at = T0 + timedelta(hours=15)  # 09h local: an ordinary hour
    possible = Flag("threat", "possible_threat", 0.8, "8 of its 10 nearest written examples are threats")
    notice = mk(1, at, "Los módulos abren este sábado de 9 a 15", own=True, handle="IEN_Oficial",
                labels={"threat": "threat"}, flags=(possible,))
    assert detect_hijack(config, [notice], at) == []
    pattern = Flag("threat", "threat", 0.99, "matched threat pattern(s): es.quemar_lugar")
    threat = mk(2, at, "Voy a quemar el instituto", own=True, handle="IEN_Oficial",
                labels={"threat": "threat"}, flags=(pattern,))
    found = detect_hijack(config, [threat], at)
    assert len(found) == 1 and "a violent threat" in found[0].explanation


def test_narrative_needs_authors_or_one_high_reach_author(config):
    flag = Flag("misinformation", "fake", 0.95, "claim", evidence="boletas-destruidas")
    two = [mk(i, T0, "destruyó boletas", labels={"misinformation": "fake"}, flags=(flag,)) for i in range(2)]
    assert detect_narratives(config, two, T0) == []
    big = two + [mk(9, T0, "destruyó boletas", followers=900_000, labels={"misinformation": "fake"}, flags=(flag,))]
    found = detect_narratives(config, big, T0)
    assert len(found) == 1 and "high-reach author @u9" in found[0].explanation
    assert "resguardo militar" in found[0].explanation


def test_unanswered_list(config, store):
    now = T0 + timedelta(hours=60)
    rows = [mk(1, T0, "¿dónde voto?", labels={"sentiment": "neutral"}), mk(2, T0, "¿y mi credencial?"),
            mk(3, now - timedelta(hours=2), "¿horario?"), mk(4, T0, "gracias", labels={"sentiment": "positive"})]
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
