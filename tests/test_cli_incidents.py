"""`escucha incidents --json` and `--now` on `run` and `unanswered`, through the real CLI,
against a store with an incident paged through a real SMTP server."""
import json
import subprocess
import sys
from datetime import timedelta

from alerting.escalation import tick
from escucha.records import Author, Classification, Incident, Mention
from escucha.store import SQLiteStore

from .conftest import EXAMPLE, utc

T = utc(2026, 11, 10, 18, 0)  # 12:00 in Mexico City


def _cli(tmp_path, *args):
    cfg = tmp_path / "escucha.toml"
    cfg.write_text(EXAMPLE.read_text(encoding="utf-8").replace('path = "escucha.db"', 'path = "state.db"'),
                   encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "escucha.cli", *args[:1], "--config", str(cfg), *args[1:]],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)


def test_incidents_json_has_local_times_evidence_pages_and_acks(tmp_path, config, smtp):
    store = SQLiteStore(tmp_path / "state.db")
    m = Mention("x", "1", "El domingo va a haber sangre en la casilla", Author("malo"), T)
    store.upsert_mentions([m])
    inc, _ = store.open_incident(Incident("threat:x:1", "threat", "critical", "Amenaza", "explicación",
                                          evidence=["x:1"]), T)
    tick(config, store, T)
    store.set_status(inc.id, "acknowledged", "ana", T + timedelta(minutes=3))
    store.close()
    r = _cli(tmp_path, "incidents", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == 1
    row = rows[0]
    assert row["opened_at"] == "2026-11-10T12:00-06:00" and row["timezone"] == "America/Mexico_City"
    assert row["acknowledged_by"] == "ana" and row["acknowledged_at"] == "2026-11-10T12:03-06:00"
    assert row["evidence"] == ["x:1"] and row["severity"] == "critical"
    assert [(p["member"], p["status"]) for p in row["pages"]] == [("ana", "sent")]
    text = _cli(tmp_path, "incidents")
    assert "acknowledged by ana at 2026-11-10T12:03-06:00" in text.stdout and "1 page(s)" in text.stdout


def test_unanswered_takes_the_replays_clock(tmp_path, config):
    store = SQLiteStore(tmp_path / "state.db")
    m = Mention("x", "1", "¿dónde voto?", Author("u1"), T, accounts=("x:@IEN_Oficial",))
    store.upsert_mentions([m])
    store.save_classifications([Classification("x:1", "v", {}, {"sentiment": "neutral", "request": "question"})])
    store.close()
    early = json.loads(_cli(tmp_path, "unanswered", "--json", "--now", "2026-11-11T18:00:00Z").stdout)
    late = json.loads(_cli(tmp_path, "unanswered", "--json", "--now", "2026-11-12T19:00:00Z").stdout)
    assert early == [] and [r["id"] for r in late] == ["x:1"] and late[0]["waiting_hours"] == 49.0
