"""The analyst workspace (escucha serve): incidents and their pages, acting on them by POST
with a form token (acknowledge, resolve, reassign, note), the feed with filters and
near-duplicates folded, triage kept in the audit log and exported as labelled data, and
every page in the institution's words: no English severity, pattern id or threshold."""
import json
import re
import subprocess
import sys
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from alerting.escalation import tick
from dashboards.web.app import App
from escucha.export import feedback_rows
from escucha.records import Author, Classification, Flag, Incident, Mention

from .conftest import utc
from .test_cli_input import _run
from .test_web_login import _config, call

NOW = utc(2026, 11, 10, 18, 0)  # 12:00 in Mexico City
# What a Spanish page must never show: English severities, pattern ids, raw scores and thresholds.
LEAKS = re.compile(r"\b(CRITICAL|HIGH|MEDIUM|LOW|critical|open|acknowledged|resolved)\b|[a-z]{2}\.[a-z]+_[a-z_]+"
                   r"|>=\s*0\.\d|model score|matched threat|lexicon")


def _strip(page: str) -> str:
    """What a reader sees: the page without its tags, styles and attribute values."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.fixture
def app(config, store):
    clock = {"now": NOW}
    threat = Flag("threat", "threat", 0.99, "matched threat pattern(s): es.dano_objetivo, es.sangre",
                  evidence="es.dano_objetivo")
    offence = Flag("offensive", "offensive", 0.8, "model score 0.79 >= 0.547", evidence="corrupto")
    texts = [("Voy a balacear la casilla el domingo", threat), ("Son unos corruptos #fraude https://t.co/a", offence),
             ("son unos CORRUPTOS #fraude https://t.co/b", offence), ("Son unos corruptos! @IEN", offence),
             ("gracias por la información", None)]
    ms = [Mention("x", str(i), t, Author(f"u{i}", followers=1200 * (i + 1)), NOW - timedelta(hours=i + 1),
                  accounts=("x:@IEN_Oficial",), lang="es", url=f"https://x.com/u{i}/status/{i}")
          for i, (t, _) in enumerate(texts)]
    ms.append(Mention("mastodon", "m1", "Sont des corrompus", Author("fr1"), NOW - timedelta(hours=2),
                      accounts=("x:@IEN_Oficial",), lang="fr"))
    store.upsert_mentions(ms)
    labels = [{"sentiment": "negative", "threat": "threat"}] + \
        [{"sentiment": "negative", "offensive": "offensive"}] * 3 + [{"sentiment": "positive"}] + \
        [{"sentiment": "negative", "offensive": "offensive"}]
    flags = [(threat,), (offence,), (offence,), (offence,), (), (offence,)]
    store.save_classifications([Classification(m.id, "v1", {}, lab, fl) for m, lab, fl in zip(ms, labels, flags)])
    inc, _ = store.open_incident(Incident("threat:x:0", "threat", "critical", "Amenaza violenta de @u0",
                                          "Amenaza violenta creíble: «Voy a balacear la casilla el domingo»",
                                          evidence=["x:0"]), NOW - timedelta(minutes=50))
    a = App(config, store, clock=lambda: clock["now"])
    a.incident = inc
    return a


def _cli(tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "escucha.cli", *args, "--config", str(tmp_path / "escucha.toml")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def _token(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)


def post(app, path, **form):
    return call(app, path, "POST", urlencode(form).encode(), CONTENT_TYPE="application/x-www-form-urlencoded")


def test_an_incident_is_acknowledged_noted_reassigned_and_resolved_by_post_with_its_history_in_words(
        app, config, store, smtp):
    i = app.incident.id
    status, _, page = call(app, f"/incidents/{i}")
    assert status.startswith("200") and "CRÍTICO" in page and "balacear" in page
    token = _token(page)
    for _ in range(2):  # opening pages changes nothing
        call(app, f"/incidents/{i}?action=ack&csrf={token}")
        call(app, "/incidents")
    assert store.incident(i).status == "open"
    assert post(app, f"/incidents/{i}", action="ack", csrf="0" * 32)[0].startswith("403"), "a form from elsewhere"
    assert store.incident(i).status == "open"

    status, _, page = post(app, f"/incidents/{i}", action="ack", csrf=token)
    assert status.startswith("200") and "Acuse de recibo registrado" in page and store.incident(i).status == "acknowledged"
    status, _, page = post(app, f"/incidents/{i}", action="ack", csrf=token)
    assert status.startswith("409") and "ya tiene acuse de recibo de (local), 2026-11-10 12:00" in page
    assert post(app, f"/incidents/{i}", action="note", text="  Avisé a la policía.\x07 ", csrf=token)[0].startswith("200")
    assert post(app, f"/incidents/{i}", action="note", text=" ", csrf=token)[0].startswith("409")
    assert post(app, f"/incidents/{i}", action="reassign", text="nadie", csrf=token)[0].startswith("409")
    status, _, page = post(app, f"/incidents/{i}", action="reassign", text="marta", csrf=token)
    marta = config.member("marta").name
    assert f"Reasignado a {marta}" in page

    # The next escalation tick pages the assignee once, saying who assigned it.
    tick(config, store, NOW + timedelta(minutes=1))
    tick(config, store, NOW + timedelta(minutes=2))
    to = [rcpt[0].split("@")[0] for _, rcpt in smtp.envelopes]
    assert to == ["marta"] and "(local) le asignó este incidente" in smtp.bodies()[0]

    status, _, page = post(app, f"/incidents/{i}", action="resolve", csrf=token)
    assert "Incidente resuelto" in page and store.incident(i).status == "resolved"
    history = re.search(r'id="timeline">(.*?)</table>', page, re.S).group(1)
    for line in ("Se abrió el incidente (CRÍTICO)", "(local) acusó recibo", "Nota de (local): Avisé a la policía.",
                 f"(local) lo reasignó a {marta}", f"Aviso entregado a {marta} (mailto", "(local) lo resolvió"):
        assert line in history, line
    assert "2026-11-10 12:0" in history  # local time (UTC 18:00 is 12:00 in Mexico City)
    actors = {(a["action"], a["actor"]) for a in store.audit_log(i)}
    assert {("incident.note", "(local)"), ("incident.reassigned", "(local)"), ("incident.resolved", "(local)")} <= actors
    # Resolved: a reassignment no longer pages, nor acts.
    assert post(app, f"/incidents/{i}", action="reassign", text="luis", csrf=token)[0].startswith("409")


def test_the_feed_folds_near_duplicates_filters_and_says_why_in_words(app):
    status, _, page = call(app, "/?days=7")
    feed = re.search(r'id="feed">(.*?)</table>', page, re.S).group(1)
    assert feed.count("<tr>") == 4  # header, the threat, the three «corruptos» as one, the French one
    assert "y 2 más parecidas" in feed and "2026-11-10 11:00" in feed
    assert "amenaza violenta: avisó al comité" in feed and "lenguaje ofensivo" in feed
    _, _, page = call(app, "/?days=7&language=fr")
    assert re.search(r'id="feed">(.*?)</table>', page, re.S).group(1).count("<tr>") == 2
    _, _, page = call(app, "/?days=7&platform=mastodon&category=offensive")
    feed = re.search(r'id="feed">(.*?)</table>', page, re.S).group(1)
    assert "corrompus" in feed and "balacear" not in feed
    _, _, page = call(app, "/?days=7&severity=critical")
    feed = re.search(r'id="feed">(.*?)</table>', page, re.S).group(1)
    assert "balacear" in feed and "corruptos" not in feed
    assert re.search(r'<svg id="chart"', page) and page.count('<rect class="negative"') >= 1


def test_the_overview_lists_an_acknowledged_incident_until_it_is_resolved(app, store):
    store.set_status(app.incident.id, "acknowledged", "ana", NOW)
    panel = re.search(r'id="open-incidents">(.*?)</table>', call(app, "/")[2], re.S).group(1)
    assert "Amenaza violenta de @u0" in panel and "con acuse de recibo" in panel
    store.set_status(app.incident.id, "resolved", "ana", NOW)
    panel = re.search(r'id="open-incidents">(.*?)</table>', call(app, "/")[2], re.S).group(1)
    assert "Amenaza" not in panel
    listed = call(app, "/incidents?status=resolved")[2]
    assert "Amenaza violenta de @u0" in listed and "Amenaza" not in call(app, "/incidents")[2].split("<main>")[1]


def test_triage_is_kept_with_who_and_when_and_exported_as_labelled_data(app, store, config, tmp_path, monkeypatch):
    _, _, page = call(app, "/")
    token = _token(page)
    assert post(app, "/triage", mention="x:1", verdict="wrong", csrf="f" * 32)[0].startswith("403")
    assert post(app, "/triage", mention="x:nope", verdict="wrong", csrf=token)[0].startswith("400")
    assert post(app, "/triage", mention="x:1", verdict="maybe", csrf=token)[0].startswith("400")
    status, headers, _ = post(app, "/triage", mention="x:1", verdict="wrong", csrf=token, next="//evil.example/")
    assert status.startswith("303") and headers["Location"] == "/"
    post(app, "/triage", mention="x:0", verdict="correct", csrf=token, next="/?days=7")
    post(app, "/triage", mention="x:1", verdict="correct", csrf=token)  # changed its mind: the latest counts
    feed = re.search(r'id="feed">(.*?)</table>', call(app, "/")[2], re.S).group(1)
    assert "Revisada por (local): la alerta es correcta" in feed
    rows = {r["id"]: r for r in feedback_rows(store)}
    assert rows["x:1"]["verdict"] == "correct" and rows["x:0"]["labels"]["threat"] == "threat"
    assert rows["x:0"]["text"].startswith("Voy a balacear") and rows["x:0"]["by"] == "(local)"
    triage = [a for a in store.audit_log() if a["action"] == "triage"]
    assert len(triage) == 3 and all(a["actor"] == "(local)" for a in triage)


    # The command line writes the same rows (a store of its own here), and names a wrong file kind.
    cli_store = type(store)(tmp_path / "escucha.db")
    cli_store.upsert_mentions([store.get_mention("x:0")])
    cli_store.audit("triage", {"mention": "x:0", "verdict": "correct", "labels": {"threat": "threat"}}, actor="ana")
    cli_store.close()
    _run(tmp_path, "config")  # writes the minimal escucha.toml beside the store
    r = _cli(tmp_path, "feedback", "export", "--out", str(tmp_path / "fb.jsonl"))
    assert r.returncode == 0, r.stderr
    got = [json.loads(line) for line in (tmp_path / "fb.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(g["id"], g["verdict"], g["by"]) for g in got] == [("x:0", "correct", "ana")]
    r = _cli(tmp_path, "feedback", "export", "--out", str(tmp_path / "fb.txt"))
    assert r.returncode == 1 and "must end in .jsonl or .csv; got 'fb.txt'" in r.stderr and "Traceback" not in r.stderr


def test_a_spanish_institutions_pages_hold_no_english_severity_pattern_id_or_threshold(app, store, smtp, config):
    store.set_status(app.incident.id, "acknowledged", "ana", NOW)
    pages = [call(app, p)[2] for p in ("/", "/?days=30&category=threat", "/incidents", "/incidents?status=all",
                                       f"/incidents/{app.incident.id}", "/unanswered")]
    for page in pages:
        seen = _strip(page)
        assert not LEAKS.search(seen), LEAKS.search(seen).group(0)
        assert 'lang="es"' in page


def test_every_workspace_page_needs_a_login(env, tmp_path, monkeypatch, store):
    cfg = _config(env, tmp_path, monkeypatch)
    app = App(cfg, store, clock=lambda: NOW)
    for path in ("/", "/incidents", "/incidents/1", "/unanswered", "/export?format=csv"):
        status, headers, _ = call(app, path, REMOTE_ADDR="10.1.2.3")
        assert status.startswith("303") and headers["Location"].startswith("/login?"), path
    status, _, _ = post(app, "/triage", mention="x:1", verdict="wrong", csrf="0" * 32)
    assert status.startswith("303")  # a POST without a session acts on nothing
    status, _, _ = post(app, "/incidents/1", action="resolve", csrf="0" * 32)
    assert status.startswith("303")


def test_the_command_line_acts_the_same_way_and_names_a_mistake(tmp_path, store):
    s = type(store)(tmp_path / "escucha.db")
    inc, _ = s.open_incident(Incident("k", "threat", "critical", "Amenaza", "e"), NOW)
    s.close()
    _run(tmp_path, "config")  # writes the minimal escucha.toml beside the store
    r = _cli(tmp_path, "note", str(inc.id), "Llamé a la policía", "--by", "ana")
    assert r.returncode == 0 and f"note added to incident #{inc.id} by ana" in r.stdout, r.stderr
    r = _cli(tmp_path, "reassign", str(inc.id), "nadie", "--by", "ana")
    assert r.returncode == 1 and "the member must be one of the committee's ids; got 'nadie'" in r.stderr
    assert _cli(tmp_path, "ack", str(inc.id), "--by", "ana").returncode == 0
    r = _cli(tmp_path, "ack", str(inc.id), "--by", "luis")
    assert r.returncode == 1 and "is already acknowledged" in r.stderr and "Traceback" not in r.stderr
    r = _cli(tmp_path, "resolve", "999", "--by", "luis")
    assert r.returncode == 1 and "incident #999 does not exist" in r.stderr
    s = type(store)(tmp_path / "escucha.db")
    assert [a["action"] for a in s.audit_log(inc.id)][-2:] == ["incident.note", "incident.acknowledged"]
    s.close()


def test_a_posts_link_is_a_link_only_when_it_is_a_web_address(app, store):
    store.upsert_mentions([Mention("file", "evil", "voy a balacear la casilla", Author("malo"), NOW - timedelta(hours=1),
                                   accounts=("x:@IEN_Oficial",), url="javascript:alert(document.cookie)")])
    store.save_classifications([Classification("file:evil", "v1", {}, {"threat": "threat"})])
    inc, _ = store.open_incident(Incident("threat:file:evil", "threat", "critical", "Amenaza", "e",
                                          evidence=["file:evil", "x:0"]), NOW)
    for page in (call(app, f"/incidents/{inc.id}")[2], call(app, "/")[2]):
        assert "javascript:" not in page and 'href="https://x.com/u0/status/0"' in page
