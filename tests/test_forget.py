"""`escucha forget @handle` leaves nothing of the person: not their posts, not others'
reposts of them, not their handle in others' posts, incidents, the audit log or the
quarantine, and not a byte of it in the store's files (free pages, the full-text index's
shadow tables, the write-ahead log)."""
from datetime import timedelta
from pathlib import Path

import pytest

from escucha import pipeline
from escucha.records import Author, Classification, Incident, Mention
from escucha.store import SQLiteStore

from .conftest import utc

T0 = utc(2026, 11, 10, 12)
THREAT = "El domingo vamos a quemar la casilla de la escuela Benito Juárez con todos adentro"


def _raw(path: str) -> bytes:
    """Every byte of the store's files, lower-cased."""
    return b"".join(Path(p).read_bytes() for p in (path, path + "-wal", path + "-shm") if Path(p).exists()).lower()


@pytest.mark.parametrize("state", ["sqlite", "postgresql"])
def test_forget_leaves_nothing_of_the_person(config, tmp_path, request, state):
    path = str(tmp_path / "escucha.db")
    url = request.getfixturevalue("pg_url") if state == "postgresql" else None
    store = SQLiteStore(path, state_url=url)
    theirs = [Mention("x", "1", THREAT, Author("Ana_G", "Ana G", 120), T0, url="https://x.com/Ana_G/status/1"),
              Mention("x", "2", "segunda publicación de prueba, muy personal", Author("ana_g"), T0)]
    others = [Mention("x", "3", "@Ana_G ¿qué estás diciendo? eso es delito", Author("beto"), T0, in_reply_to="x:1"),
              Mention("x", "4", f"RT @Ana_G: {THREAT}", Author("carla"), T0, repost_of="x:1"),
              Mention("x", "5", "una pregunta sobre mi credencial", Author("dani"), T0)]
    store.upsert_mentions(theirs + others)
    store.save_classifications([Classification(m.id, "v", {}, {"sentiment": "negative"}) for m in theirs + others])
    inc, _ = store.open_incident(Incident(
        key="threat:x:1", kind="threat", severity="critical", title="Amenaza violenta de @Ana_G",
        explanation=f'Credible violent threat (pattern): "{THREAT[:89]}…" — https://x.com/Ana_G/status/1',
        evidence=["x:1", "x:4", "x:5"]), T0)
    store.audit("incident.note", {"text": f"@ana_g wrote {THREAT}"}, inc.id, at=T0)
    store.quarantine("file:export.csv", "bad row", '{"author": "ana_g", "text": "algo"}')
    store.quarantine("file:export.csv", "bad row", '{"author": "otra", "text": "nada"}')
    store.close()
    store = SQLiteStore(path, state_url=url)
    assert b"ana_g" in _raw(path) and "benito juárez".encode() in _raw(path)

    res = pipeline.forget_author(config, store, "@ana_g", now=T0 + timedelta(days=1))
    assert res == {"removed": 3, "redacted": 1, "quarantined": 1}
    assert store.get_mention("x:1") is None and store.get_mention("x:4") is None, "their post and its repost"
    reply = store.get_mention("x:3")
    assert reply.text == "@[borrado] ¿qué estás diciendo? eso es delito", "others keep their own words"
    assert store.search("Benito") == [] and store.search("quemar") == [] and [m.id for m in store.search("delito")]
    inc = store.incident(inc.id)
    assert inc.evidence == ["x:5"] and inc.title == "Amenaza violenta de @[borrado]"
    assert "[texto borrado]" in inc.explanation and "ana_g" not in inc.explanation.lower()
    assert [q["payload"] for q in store.quarantined()] == ['{"author": "otra", "text": "nada"}']
    if url:  # the escalation state lives in PostgreSQL: nothing of them there either
        from sqlalchemy import text

        with store.state.engine.connect() as conn:
            rows = [str(tuple(r)) for t in ("incidents", "audit", "incident_evidence")
                    for r in conn.execute(text(f"SELECT * FROM {t}"))]
        assert rows and not [r for r in rows if "ana_g" in r.lower() or "Benito" in r]
        assert "(1, 'x:5', 2)" in rows and not [r for r in rows if r.startswith("(1, 'x:1'")]
    store.state.engine.dispose()
    store.close()
    raw = _raw(path)
    for needle in ("ana_g", "benito juárez", "benito ju\\u00e1rez", "muy personal", "quemar la casilla"):
        assert needle.encode() not in raw, needle
    assert b"dani" in raw and b"credencial" in raw, "the others' data stays"
