"""The demo scenario end to end, and running the pipeline twice changes nothing."""
import pytest

from demo import week
from demo.run import run
from escucha.store import SQLiteStore


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    summary = run(out, echo=lambda *_: None)
    return summary, SQLiteStore(out / "escucha.db")


def _by_kind(store):
    users, tweets = week.build()
    kinds = {f"x:{t['id']}": t["_kind"] for t in tweets}
    return kinds, {m.id: (m, store.classification(m.id)) for m in store.mentions()}


def test_threat_is_detected_and_paged_at_once(demo):
    summary, store = demo
    threats = [i for i in store.incidents() if i.kind == "threat"]
    assert len(threats) == 1, "the threat and its reposts make one incident"
    inc = threats[0]
    assert inc.severity == "critical" and "rosa" in inc.title
    assert len(inc.evidence) == 3
    first = store.deliveries(inc.id)[0]
    assert first.status == "sent" and first.member == "ana"
    assert (first.at - inc.opened_at).total_seconds() == 0, "paged in the same tick it was detected"
    # Nobody else was paged between the threat's detection and its first page.
    later = [d for i in store.incidents() for d in store.deliveries(i.id) if d.at and d.at < first.at
             and d.incident_id != inc.id and d.at >= inc.opened_at]
    assert later == []
    flag = next(f for f in store.classification(inc.evidence[0]).flags if f.task == "threat")
    assert "pattern" in flag.reason


def test_rumour_is_flagged_and_grouped(demo):
    _, store = demo
    kinds, items = _by_kind(store)
    rumours = [c for mid, (m, c) in items.items() if kinds.get(mid) == "rumour"]
    assert len(rumours) == 14
    assert all(c.labels["misinformation"] == "fake" for c in rumours)
    assert all(any(f.evidence == "boletas-destruidas" and f.link for f in c.flags) for c in rumours)
    narratives = [i for i in store.incidents() if i.kind == "narrative"]
    assert [i.key for i in narratives] == ["narrative:claim:boletas-destruidas"]


def test_hate_speech_is_flagged(demo):
    _, store = demo
    kinds, items = _by_kind(store)
    hate = [c for mid, (m, c) in items.items() if kinds.get(mid) == "hate"]
    assert len(hate) == 3
    assert all(c.labels["offensive"] == "offensive" or c.labels["hate"] == "hate" for c in hate)


def test_routine_and_trolling_raise_no_incident(demo):
    _, store = demo
    kinds, _ = _by_kind(store)
    for inc in store.incidents():
        for e in inc.evidence:
            assert kinds[e] in ("threat", "threat_repost", "rumour"), (inc.title, kinds[e])
    routine = [mid for mid, k in kinds.items() if k in ("question", "praise", "routine", "complaint")]
    flagged_threat = [mid for mid in routine if store.classification(mid)
                      and store.classification(mid).labels["threat"] == "threat"]
    assert flagged_threat == []


def test_outputs_and_acknowledgement(demo):
    summary, store = demo
    assert summary["emails"] >= 3 and summary["quarantined"] == 0
    threat = next(i for i in store.incidents() if i.kind == "threat")
    assert threat.status == "acknowledged" and threat.acknowledged_by == "marta"
    actions = [a["action"] for a in store.audit_log(threat.id)]
    assert actions[0] == "incident.opened" and "incident.acknowledged" in actions
    html = open(summary["report"], encoding="utf-8").read()
    assert "Informe semanal" in html and "Instituto Electoral Nacional" in html
    import re

    narratives = re.search(r'id="narratives">(.*?)</table>', html, re.S).group(1)
    assert "destruyó boletas" in narratives and "✔" in narratives, "the institute's FALSO post clarified it"
    escalation = re.findall(r"<tr><td>(\d)</td><td>(\w+)</td>", re.search(r'id="escalation">(.*?)</table>', html,
                                                                       re.S).group(1))
    assert ("1", "ana") in escalation and ("2", "marta") in escalation
    per_account = re.search(r'id="answers-by-account">(.*?)</table>', html, re.S).group(1)
    assert "x:@IEN_Oficial" in per_account and "x:@IEN_Informa" in per_account
    assert re.search(r'data-account="x:@IEN_Oficial">\d+<', html)


def test_running_twice_changes_nothing(demo, env):
    from dataclasses import replace
    from datetime import timedelta

    from collectors.emulators.x import XEmulator
    from escucha import config as cfgmod
    from escucha import pipeline

    summary, store = demo
    before = (store.count_mentions(), len(store.incidents()), len(store.deliveries()))
    users, tweets = week.build()
    with XEmulator(users, tweets, token=env["ESCUCHA_X_BEARER_TOKEN"]) as x:
        last = week.WEEK_END + timedelta(hours=6)  # the demo's last tick: the same input
        x.state.visible_until = last.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        cfg = replace(cfgmod.load(week.__file__.replace("demo/week.py", "escucha.example.toml")),
                      store_path=store.path).with_base_url("x", x.base_url)
        # Forget the checkpoints: the collector re-reads everything, as after a lost state.
        store.db.execute("DELETE FROM checkpoints WHERE collector='x'")
        res = pipeline.run_once(cfg, store, now=last + timedelta(minutes=1))
    assert res["collect"]["new"] == 0 and res["collect"]["fetched"] > 0
    assert res["classify"]["classified"] == 0
    assert res["detect"]["opened"] == [] and res["detect"]["updated"] == []
    after = (store.count_mentions(), len(store.incidents()), len(store.deliveries()))
    assert after == before


def test_the_week_on_the_search_engine_store_ends_as_on_the_embedded_one(demo, opensearch_url, tmp_path):
    """The whole pipeline (collect, classify, detect, escalate, acknowledge, report) with
    ``store.backend = "opensearch"`` on a real node: the same incidents, deliveries, scores."""
    import secrets

    from stores.opensearch import OpenSearchIndex

    embedded_summary, embedded = demo
    prefix = "demo" + secrets.token_hex(3)
    try:
        summary = run(tmp_path / "os", echo=lambda *_: None, store_backend="opensearch", index_url=opensearch_url,
                      index_product="opensearch", index_prefix=prefix)
        for key in ("mentions", "emails", "quarantined", "timeline"):
            assert summary[key] == embedded_summary[key], key
        assert summary["incidents"] == embedded_summary["incidents"]
        from stores.search import SearchStore

        store = SearchStore(opensearch_url, prefix=prefix, state_url=f"sqlite:///{tmp_path / 'os' / 'escucha.db'}")
        assert [(m.id, c.labels) for m, c in store.classified()] == [(m.id, c.labels) for m, c in embedded.classified()]
        assert [d.status for d in store.deliveries()] == [d.status for d in embedded.deliveries()]
        # The dashboards read these very documents: the threat is in the threat feed.
        hits = OpenSearchIndex(opensearch_url, prefix=prefix).client.search(
            index=f"{prefix}-*", body={"query": {"term": {"threat": "threat"}}})["hits"]["hits"]
        assert {h["_id"] for h in hits} == {m.id for m, c in embedded.classified() if c.labels.get("threat") == "threat"}
    finally:
        OpenSearchIndex(opensearch_url).client.indices.delete(index=f"{prefix}-*,{prefix}_*", ignore=[404])
