from escucha.records import Author, Classification, Incident, Mention

from .conftest import utc


def m(i, text="hola instituto", **kw):
    return Mention("x", str(i), text, Author(f"user{i}", followers=10), utc(2026, 11, 10, 12, i % 60), **kw)


def test_upsert_is_idempotent(store):
    assert store.upsert_mentions([m(1), m(2)]) == 2
    assert store.upsert_mentions([m(1), m(2)]) == 0
    assert store.count_mentions() == 2
    assert store.get_mention("x:1").text == "hola instituto"


def test_full_text_search_ignores_accents_and_fts_syntax(store):
    store.upsert_mentions([m(1, "El instituto destruyó boletas"), m(2, "gracias por la atención")])
    assert [x.id for x in store.search("destruyo")] == ["x:1"]
    assert store.search('AND OR "NEAR(') == []


def test_reclassification_replaces_old_version(store):
    store.upsert_mentions([m(1)])
    assert [x.id for x in store.unclassified("v1")] == ["x:1"]
    store.save_classifications([Classification("x:1", "v1", {}, {"sentiment": "neutral"})])
    assert store.unclassified("v1") == []
    assert [x.id for x in store.unclassified("v2")] == ["x:1"]


def test_open_incident_groups_by_key(store):
    now = utc(2026, 11, 10)
    a, created = store.open_incident(Incident("k", "threat", "high", "t", "e", evidence=["x:1"]), now)
    b, created2 = store.open_incident(Incident("k", "threat", "critical", "t", "e", evidence=["x:2"]), now)
    assert created and not created2 and a.id == b.id
    assert b.severity == "critical" and b.evidence == ["x:1", "x:2"]
    store.set_status(a.id, "resolved", "ana", now)
    c, created3 = store.open_incident(Incident("k", "threat", "high", "t", "e", evidence=["x:3"]), now)
    assert created3 and c.id != a.id


def test_delete_removes_from_search(store):
    store.upsert_mentions([m(1, "boletas quemadas")])
    assert store.delete_mentions(["x:1"]) == 1
    assert store.search("boletas") == [] and store.get_mention("x:1") is None
