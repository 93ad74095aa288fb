"""The store contract: every backend (the embedded SQLite store, OpenSearch through
opensearch-py, Elasticsearch through its own client) passes the same tests, against a
real SQLite file, a real OpenSearch node and real Elasticsearch 7.17 and 8.19 nodes."""
import secrets
from dataclasses import replace
from datetime import timedelta

import pytest

from escucha.errors import StoreError
from escucha.records import Author, Classification, Flag, Incident, Mention
from escucha.store import SQLiteStore

from .conftest import drop_indices, utc


def m(i, text="hola instituto", **kw):
    return Mention("x", str(i), text, Author(f"user{i}", followers=10), utc(2026, 11, 10, 12, i % 60), **kw)


@pytest.fixture(params=["sqlite", "opensearch", "es7", "es8"])
def any_store(request, tmp_path):
    if request.param == "sqlite":
        s = SQLiteStore(tmp_path / "store.db")
        yield s
        s.close()
        return
    from stores.search import ElasticsearchStore, SearchStore

    prefix = "c" + secrets.token_hex(4)
    state = f"sqlite:///{tmp_path}/state.db"
    if request.param == "opensearch":
        s = SearchStore(request.getfixturevalue("opensearch_url"), prefix=prefix, state_url=state)
    else:  # real Elasticsearch 7.17 and 8.19 nodes (tests/es_node.py)
        s = ElasticsearchStore(request.getfixturevalue(f"{request.param}_url"), prefix=prefix, state_url=state)
    yield s
    drop_indices(s.ix, f"{prefix}-*", f"{prefix}_*")


def test_upsert_is_idempotent(any_store):
    store = any_store
    assert store.upsert_mentions([m(1), m(2)]) == 2
    assert store.upsert_mentions([m(1), m(2)]) == 0
    assert store.count_mentions() == 2
    assert store.get_mention("x:1").text == "hola instituto"
    assert store.get_mention("x:404") is None


def test_a_recollected_post_takes_fresh_metrics_and_edits_but_keeps_when_it_was_first_seen(any_store):
    store = any_store
    first = m(1, accounts=("x:@IEN_Oficial",), metrics={"likes": 1}, collected_at=utc(2026, 11, 10, 13))
    store.upsert_mentions([first])
    again = replace(first, text="hola instituto (editado)", author=Author("user1", followers=99),
                    accounts=("x:@IEN_Informa",), metrics={"likes": 7}, collected_at=utc(2026, 11, 11))
    assert store.upsert_mentions([again]) == 0
    got = store.get_mention("x:1")
    assert got.text == "hola instituto (editado)" and got.metrics == {"likes": 7}
    assert got.author.followers == 99 and got.collected_at == utc(2026, 11, 10, 13)
    # It now concerns both accounts.
    assert [x.id for x in store.mentions(account="x:@IEN_Oficial")] == ["x:1"]
    assert [x.id for x in store.mentions(account="x:@IEN_Informa")] == ["x:1"]


def test_mentions_by_period_and_account_in_time_order(any_store):
    store = any_store
    store.upsert_mentions([m(i, accounts=("x:@a",) if i % 2 else ("x:@b",)) for i in (5, 1, 4, 2, 3)])
    dec = Mention("x", "d", "otro mes", Author("z"), utc(2026, 12, 1), accounts=("x:@a",))
    store.upsert_mentions([dec])
    assert [x.id for x in store.mentions()] == ["x:1", "x:2", "x:3", "x:4", "x:5", "x:d"]
    assert [x.id for x in store.mentions(since=utc(2026, 11, 10, 12, 2), until=utc(2026, 11, 10, 12, 4))] == [
        "x:2", "x:3"]
    assert [x.id for x in store.mentions(account="x:@a")] == ["x:1", "x:3", "x:5", "x:d"]
    assert [x.id for x in store.mentions(since=utc(2026, 11, 20), account="x:@a")] == ["x:d"]


def test_full_text_search_ignores_accents_and_fts_syntax(any_store):
    store = any_store
    store.upsert_mentions([m(1, "El instituto destruyó boletas"), m(2, "gracias por la atención")])
    assert [x.id for x in store.search("destruyó")] == ["x:1"]
    if getattr(getattr(store, "ix", None), "analyzers", True) is False:
        # Elastic's minimal builds have no accent folding (no analysis module): the store
        # says so at setup and searches the words as written; engines with it must fold.
        assert store.search("destruyo") == []
    else:
        assert [x.id for x in store.search("destruyo")] == ["x:1"]
    assert [x.id for x in store.search("boletas instituto")] == ["x:1"]
    assert store.search('AND OR "NEAR(') == []
    assert store.search("   ") == []


def test_shards_split_the_unscored_mentions_without_overlap(any_store):
    from escucha.shards import shard_of

    store = any_store
    store.upsert_mentions([m(i) for i in range(40)])
    shares = [[x.id for x in store.unclassified("v1", shard=(i, 3))] for i in range(3)]
    assert sorted(sum(shares, [])) == sorted(x.id for x in store.unclassified("v1"))  # all of them, once
    assert all(shard_of(mid, 3) == i for i, share in enumerate(shares) for mid in share)
    assert all(share for share in shares)  # 40 ids: every share gets some
    assert len(store.unclassified("v1", limit=2, shard=(0, 3))) == 2
    store.save_classifications([Classification(mid, "v1", {}, {}) for mid in shares[1]])
    assert store.unclassified("v1", shard=(1, 3)) == []
    assert [x.id for x in store.unclassified("v1", shard=(0, 3))] == shares[0]


def test_a_classification_round_trips_and_reclassification_replaces_the_old_version(any_store):
    store = any_store
    store.upsert_mentions([m(1), m(2)])
    assert [x.id for x in store.unclassified("v1")] == ["x:1", "x:2"]
    c1 = Classification("x:1", "v1", {"sentiment": {"negative": 0.7, "neutral": 0.2, "positive": 0.1},
                                      "threat": {"threat": 0.99}},
                        {"sentiment": "negative", "threat": "threat"},
                        (Flag("threat", "threat", 0.99, "pattern es.tiro", "es.tiro"),))
    assert store.save_classifications([c1]) == 1
    assert store.classification("x:1") == c1
    assert store.classification("x:2") is None
    assert [x.id for x in store.unclassified("v1")] == ["x:2"]
    assert [x.id for x in store.unclassified("v2")] == ["x:1", "x:2"]
    # A new version replaces everything: nothing of the old scores or flags survives.
    c2 = Classification("x:1", "v2", {"sentiment": {"negative": 0.1, "neutral": 0.8, "positive": 0.1}},
                        {"sentiment": "neutral"})
    store.save_classifications([c2])
    assert store.classification("x:1") == c2
    assert [(x.id, c.model_version) for x, c in store.classified()] == [("x:1", "v2")]
    store.forget_classifications(["x:1"])
    assert store.classification("x:1") is None and store.classified() == []
    assert store.get_mention("x:1") is not None


def test_classified_by_period(any_store):
    store = any_store
    store.upsert_mentions([m(i) for i in range(1, 5)])
    store.save_classifications([Classification(f"x:{i}", "v1", {}, {"sentiment": "neutral"}) for i in range(1, 5)])
    got = store.classified(since=utc(2026, 11, 10, 12, 2), until=utc(2026, 11, 10, 12, 4))
    assert [(x.id, c.labels) for x, c in got] == [("x:2", {"sentiment": "neutral"}), ("x:3", {"sentiment": "neutral"})]


def test_detection_sees_each_classified_mention_once(any_store):
    store = any_store
    store.upsert_mentions([m(1), m(2), m(3)])
    store.save_classifications([Classification(f"x:{i}", "v1", {}, {}) for i in (1, 2)])
    assert store.undetected_ids() == {"x:1", "x:2"}
    store.mark_detected(["x:1"], utc(2026, 11, 10, 13))
    assert store.undetected_ids() == {"x:2"} and store.detected_ids() == {"x:1"}
    store.save_classifications([Classification("x:3", "v1", {}, {})])
    assert store.undetected_ids() == {"x:2", "x:3"}


def test_checkpoints(any_store):
    store = any_store
    assert store.get_checkpoint("x", "mentions:@IEN") is None
    store.set_checkpoint("x", "mentions:@IEN", "100")
    store.set_checkpoint("x", "search:IEN OR #IEN", "7")
    store.set_checkpoint("x", "mentions:@IEN", "200")
    assert store.get_checkpoint("x", "mentions:@IEN") == "200"
    assert store.get_checkpoint("x", "search:IEN OR #IEN") == "7"
    assert store.get_checkpoint("bluesky", "mentions:@IEN") is None
    assert store.checkpoints() == [("x", "mentions:@IEN", "200"), ("x", "search:IEN OR #IEN", "7")]


def test_quarantine_keeps_reason_and_payload_in_order(any_store):
    store = any_store
    store.quarantine("x", "missing field(s): text", '{"id": "1"}')
    store.quarantine("file:a.csv", "row 3: created_at must be a date", "3,,hola")
    got = store.quarantined()
    assert [(q["source"], q["reason"], q["payload"]) for q in got] == [
        ("x", "missing field(s): text", '{"id": "1"}'), ("file:a.csv", "row 3: created_at must be a date", "3,,hola")]


def test_delete_and_forget_by_author(any_store):
    store = any_store
    store.upsert_mentions([m(1, "boletas quemadas"), m(2), replace(m(3), author=Author("User1"))])
    assert sorted(store.mentions_by_author("@USER1")) == ["x:1", "x:3"]
    assert store.delete_mentions(["x:1", "x:404"]) == 1
    assert store.search("boletas") == [] and store.get_mention("x:1") is None
    assert store.count_mentions() == 2


def test_forgetting_reaches_what_others_wrote_and_the_quarantine_in_every_store(any_store, config):
    from escucha import pipeline

    store = any_store
    store.upsert_mentions([replace(m(1, "mis datos personales aquí"), author=Author("user1")),
                           replace(m(2, "@user1 respuesta de otra persona"), in_reply_to="x:1"),
                           replace(m(3, "RT @user1: mis datos personales aquí"), repost_of="x:1"),
                           m(4, "nada que ver")])
    store.quarantine("file:e.csv", "bad row", '{"author": "user1"}')
    res = pipeline.forget_author(config, store, "user1")
    assert res == {"removed": 2, "redacted": 1, "quarantined": 1}
    assert store.get_mention("x:2").text == "@[borrado] respuesta de otra persona"
    assert store.get_mention("x:4") is not None and store.quarantined() == []


def test_open_incident_groups_by_key(any_store):
    store = any_store
    now = utc(2026, 11, 10)
    a, created = store.open_incident(Incident("k", "threat", "high", "t", "e", evidence=["x:1"]), now)
    b, created2 = store.open_incident(Incident("k", "threat", "critical", "t", "e", evidence=["x:2"]), now)
    assert created and not created2 and a.id == b.id
    assert b.severity == "critical" and b.evidence == ["x:1", "x:2"]
    store.set_status(a.id, "resolved", "ana", now)
    c, created3 = store.open_incident(Incident("k", "threat", "high", "t", "e", evidence=["x:3"]), now)
    assert created3 and c.id != a.id


def test_escalation_state_is_claimed_once_on_every_store(any_store):
    """The rest of the protocol: steps moved by compare-and-set, a send claimed once and
    retried once, a link spent once, the audit log in order, acknowledgement once."""
    from escucha.records import Delivery

    store = any_store
    now = utc(2026, 11, 10, 3)
    inc, _ = store.open_incident(Incident("t:1", "threat", "critical", "t", "e", evidence=["x:1"]), now)
    rnd = store.incident_round(inc.id)
    assert store.advance_incident(inc.id, -1, rnd, 0, rnd, now + timedelta(minutes=5))
    assert not store.advance_incident(inc.id, -1, rnd, 0, rnd, now + timedelta(minutes=5))  # moved already
    assert store.incident(inc.id).step == 0
    d = Delivery(inc.id, 0, "ana", "mailto://***", "sending", at=now, round=rnd)
    assert store.claim_delivery(d) and not store.claim_delivery(d)
    store.finish_delivery(replace(d, status="failed", detail="refused"))
    [failed] = store.deliveries(inc.id)
    assert failed.status == "failed" and failed.attempts == 1
    assert store.retry_delivery(failed, now + timedelta(minutes=1), "retry")
    assert not store.retry_delivery(failed, now + timedelta(minutes=1), "retry")  # the other tick lost
    assert store.use_link("nonce-1", now) and not store.use_link("nonce-1", now)
    assert store.set_status(inc.id, "acknowledged", "ana", now) and not store.set_status(inc.id, "acknowledged",
                                                                                        "luis", now)
    assert [i.id for i in store.incidents(status="acknowledged")] == [inc.id]
    store.audit("test.note", {"n": 1}, inc.id, actor="ana", at=now)
    actions = [a["action"] for a in store.audit_log(inc.id)]
    assert actions[0] == "incident.opened" and "incident.acknowledged" in actions and actions[-1] == "test.note"


def test_every_store_opens_from_its_configuration(any_store, config, tmp_path, request):
    """``[store] backend`` names the class through the escucha.stores entry points; the
    search engines need ``[index]``."""
    from escucha import registry

    name = any_store.name
    cls = registry.load("stores", name)
    assert isinstance(any_store, cls) and cls.is_index == (name != "sqlite")
    any_store.upsert_mentions([m(1)])
    url = getattr(getattr(any_store, "ix", None), "url", "")
    cfg = replace(config, store_backend=name, index_url=url, index_product="elasticsearch" if "elastic" in name
                  else "opensearch", index_prefix=getattr(any_store, "prefix", "unused"),
                  store_path=str(tmp_path / "store.db"), state_url=f"sqlite:///{tmp_path}/state.db")
    opened = cls.from_config(cfg)  # the same data, reached through the configuration
    try:
        assert opened.count_mentions() == 1 and opened.get_mention("x:1").text == "hola instituto"
    finally:
        opened.close()
    if name != "sqlite":
        with pytest.raises(StoreError, match="needs the server"):
            cls.from_config(replace(cfg, index_url=""))


def test_many_mentions_page_through(any_store):
    store = any_store
    base = utc(2026, 11, 1)
    ms = [Mention("x", str(i), f"texto {i}", Author("a"), base + timedelta(minutes=i)) for i in range(2_500)]
    assert store.upsert_mentions(ms) == 2_500
    assert [x.id for x in store.mentions()] == [x.id for x in ms]
    assert len(store.unclassified("v1", limit=2_100)) == 2_100


# -- only the search engines ---------------------------------------------------------
def test_a_document_the_engine_refuses_is_quarantined_and_the_rest_stored(opensearch_url, tmp_path):
    from stores.opensearch import OpenSearchIndex
    from stores.search import SearchStore

    prefix = "q" + secrets.token_hex(4)
    store = SearchStore(opensearch_url, prefix=prefix, state_url=f"sqlite:///{tmp_path}/s.db")
    try:
        # November's index made by hand with a conflicting type for `lang`: the engine
        # refuses those documents and names the field; December's are stored.
        store.ix.client.indices.create(index=f"{prefix}-2026.11", body={
            "aliases": {prefix: {}}, "mappings": {"properties": {"lang": {"type": "integer"}}}})
        dec = Mention("x", "d", "otro mes", Author("z"), utc(2026, 12, 1), lang="es")
        assert store.upsert_mentions([m(1, lang="es"), dec]) == 1
        assert [x.id for x in store.mentions()] == ["x:d"]
        q = store.quarantined()
        assert len(q) == 1 and "mention x:1 refused" in q[0]["reason"] and "lang" in q[0]["reason"]
        assert '"native_id":"1"' in q[0]["payload"].replace(" ", "")
    finally:
        OpenSearchIndex(opensearch_url).client.indices.delete(index=f"{prefix}-*,{prefix}_*", ignore=[404])


def test_a_search_store_that_is_down_says_so_by_address(tmp_path):
    from replay.mailbox import free_port
    from stores.search import SearchStore

    port = free_port()
    # Opening it needs no server (escalation reads only the state); the first use says where.
    store = SearchStore(f"http://user:pw@127.0.0.1:{port}", state_url=f"sqlite:///{tmp_path}/s.db")
    assert store.incidents() == []
    for use in (lambda: store.upsert_mentions([m(1)]), lambda: store.get_checkpoint("x", "k"), store.count_mentions):
        with pytest.raises(StoreError, match=f"127.0.0.1:{port} is not reachable") as err:
            use()
        assert "pw" not in str(err.value)


def test_the_full_text_index_matches_the_table_after_inserts_edits_and_deletes(tmp_path):
    import sqlite3

    # A store written by an earlier version: full-text rows added by a per-row trigger.
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript("""
    CREATE TABLE mentions (id TEXT PRIMARY KEY, platform TEXT NOT NULL, native_id TEXT NOT NULL, text TEXT NOT NULL,
      author_handle TEXT, author_followers INTEGER, created_at TEXT NOT NULL, collected_at TEXT, lang TEXT,
      own INTEGER DEFAULT 0, in_reply_to TEXT, doc TEXT NOT NULL);
    CREATE INDEX mentions_author ON mentions(author_handle);
    CREATE VIRTUAL TABLE mentions_fts USING fts5(text, content='mentions', content_rowid='rowid',
      tokenize='unicode61 remove_diacritics 2');
    CREATE TRIGGER mentions_ai AFTER INSERT ON mentions BEGIN
      INSERT INTO mentions_fts(rowid, text) VALUES (new.rowid, new.text); END;""")
    doc = m(1, "casilla cerrada").to_json()
    old.execute("INSERT INTO mentions (id, platform, native_id, text, author_handle, created_at, doc) "
                "VALUES ('x:1', 'x', '1', 'casilla cerrada', 'user1', '2026-11-10T12:01:00Z', ?)", (doc,))
    old.commit()
    old.close()

    store = SQLiteStore(path)
    store.upsert_mentions([m(2, "casilla abierta"), m(3, "boletas")])
    store.upsert_mentions([m(3, "boletas quemadas"), m(4, "casilla")])  # an edit and a new one
    store.delete_mentions(["x:4"])
    store.upsert_mentions([m(5, "otra casilla")])  # may take the deleted row's rowid
    assert sorted(x.id for x in store.search("casilla")) == ["x:1", "x:2", "x:5"]
    assert [x.id for x in store.search("quemadas")] == ["x:3"]
    # FTS5's own check: the index holds exactly the table's text, once.
    store.db.execute("INSERT INTO mentions_fts(mentions_fts, rank) VALUES ('integrity-check', 1)")
    assert sorted(store.mentions_by_author("USER2")) == ["x:2"]


def test_a_search_store_that_cannot_take_a_batch_now_raises_and_loses_nothing(elasticsearch_face, opensearch_url,
                                                                              tmp_path):
    """503 on every try of a bulk: the write raises (the collector keeps its checkpoint),
    nothing is quarantined, and the same batch goes in once the server is back."""
    from stores.opensearch import OpenSearchIndex
    from stores.search import ElasticsearchStore

    prefix = "u" + secrets.token_hex(4)
    store = ElasticsearchStore(elasticsearch_face.url, prefix=prefix, state_url=f"sqlite:///{tmp_path}/s.db")
    try:
        elasticsearch_face.faults[:] = [(r"/_bulk$", 503)] * 3  # the client's first try and its two retries
        with pytest.raises(StoreError, match="could not take"):
            store.upsert_mentions([m(1), m(2)])
        assert elasticsearch_face.faults == []
        assert store.quarantined() == [] and store.count_mentions() == 0
        assert store.upsert_mentions([m(1), m(2)]) == 2
        assert [x.id for x in store.mentions()] == ["x:1", "x:2"]
    finally:
        elasticsearch_face.faults.clear()
        OpenSearchIndex(opensearch_url).client.indices.delete(index=f"{prefix}-*,{prefix}_*", ignore=[404])


def test_documents_other_tools_write_through_the_alias_are_not_taken_for_mentions(opensearch_url, tmp_path):
    from stores.opensearch import OpenSearchIndex
    from stores.search import SearchStore

    prefix = "f" + secrets.token_hex(4)
    store = SearchStore(opensearch_url, prefix=prefix, state_url=f"sqlite:///{tmp_path}/s.db")
    try:
        store.upsert_mentions([m(1, "casilla abierta")])
        store.ix.request("POST", f"/{prefix}/_doc", {"text": "casilla de otra herramienta", "lang": "es"},
                         {"refresh": "true"})
        assert [x.id for x in store.mentions()] == ["x:1"] and store.count_mentions() == 1
        assert [x.id for x in store.search("casilla")] == ["x:1"]
        assert [x.id for x in store.unclassified("v1")] == ["x:1"]
    finally:
        OpenSearchIndex(opensearch_url).client.indices.delete(index=f"{prefix}-*,{prefix}_*", ignore=[404])


def test_an_embedded_store_is_copied_into_the_search_engine_store_once(opensearch_url, tmp_path, env, monkeypatch):
    """`escucha store copy --from escucha.db`: everything the pipeline needs carries over,
    detection marks included (old mentions must not raise incidents again); twice = once."""
    from escucha.cli import main
    from stores.opensearch import OpenSearchIndex
    from stores.search import SearchStore

    from .conftest import EXAMPLE

    src = SQLiteStore(tmp_path / "old.db")
    src.upsert_mentions([m(i, accounts=("x:@IEN_Oficial",)) for i in range(1, 6)])
    src.save_classifications([Classification(f"x:{i}", "v1", {"threat": {"threat": 0.1}}, {"threat": "not_threat"})
                              for i in (1, 2, 3)])
    src.mark_detected(["x:1", "x:2"], utc(2026, 11, 10, 13))
    src.set_checkpoint("x", "mentions:@IEN_Oficial", "12345")
    src.quarantine("x:mentions:@IEN_Oficial", "tweet without id or text", '{"id": null}')
    src.close()

    prefix = "k" + secrets.token_hex(4)
    monkeypatch.setenv("ESCUCHA_OPENSEARCH_URL", opensearch_url)
    text = EXAMPLE.read_text(encoding="utf-8").replace('[store]\n', '[store]\nbackend = "opensearch"\n', 1)
    cfg = tmp_path / "escucha.toml"
    cfg.write_text(text + f'\n[index]\nurl_env = "ESCUCHA_OPENSEARCH_URL"\nprefix = "{prefix}"\n', encoding="utf-8")
    try:
        for _ in range(2):
            with pytest.raises(SystemExit) as done:
                main(["store", "copy", "--from", str(tmp_path / "old.db"), "--config", str(cfg)])
            assert done.value.code == 0
        dst = SearchStore(opensearch_url, prefix=prefix, state_url=f"sqlite:///{tmp_path}/state.db")
        old = SQLiteStore(tmp_path / "old.db")
        assert [x.to_dict() for x in dst.mentions()] == [x.to_dict() for x in old.mentions()]
        assert [(x.id, c) for x, c in dst.classified()] == [(x.id, c) for x, c in old.classified()]
        assert dst.undetected_ids() == {"x:3"}
        assert dst.checkpoints() == [("x", "mentions:@IEN_Oficial", "12345")]
        assert [(q["source"], q["reason"]) for q in dst.quarantined()] == [
            ("x:mentions:@IEN_Oficial", "tweet without id or text")]
    finally:
        OpenSearchIndex(opensearch_url).client.indices.delete(index=f"{prefix}-*,{prefix}_*", ignore=[404])
