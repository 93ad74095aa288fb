"""The weekly report: numbers from a known data set, PDF pages, escaping, e-mail with attachment."""
import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from dashboards.reports.weekly import render_html, write_report
from escucha import pipeline
from escucha.records import Author, Classification, Mention

from .conftest import utc

SINCE, UNTIL = utc(2026, 11, 9, 6), utc(2026, 11, 16, 6)
EVIL = '<img src=x onerror=alert(1)> el instituto miente'


@pytest.fixture
def week_store(store):
    rows = [("1", EVIL, "negative", "not_threat", "fake", 0),
            ("2", "gracias @IEN_Oficial", "positive", "not_threat", "real", 1),
            ("3", "¿dónde voto? @IEN_Oficial", "neutral", "not_threat", "real", 2),
            ("4", "voy a balacear la casilla", "negative", "threat", "real", 3),
            ("5", "pésimo servicio @IEN_Informa", "negative", "not_threat", "real", 4)]
    ms = [Mention("x", i, t, Author(f"u{i}", followers=int(i) * 100), SINCE + timedelta(days=d, hours=12),
                  accounts=("x:@IEN_Informa",) if i == "5" else ("x:@IEN_Oficial",)) for i, t, *_, d in rows]
    reply = Mention("x", "r3", "@u3 en nuestro sitio", Author("IEN_Oficial"), ms[2].created_at + timedelta(hours=3),
                    own=True, in_reply_to="x:3")
    store.upsert_mentions(ms + [reply])
    # What needs an answer is the scorer's request label: the question (3) and the problem
    # reported (5); the rumour (1) and the threat (4) do not.
    asks = {"3": "question", "5": "problem"}
    store.save_classifications([Classification(f"x:{i}", "v", {}, {"sentiment": s, "threat": th,
                                                                    "misinformation": mi,
                                                                    "request": asks.get(i, "none")})
                                for i, _, s, th, mi, _ in rows] +
                               [Classification("x:r3", "v", {}, {"sentiment": "neutral"})])
    return store


def test_numbers_equal_a_direct_count(config, week_store):
    html = render_html(config, week_store, SINCE, UNTIL, charts=False)
    cell = lambda attr, key: re.search(rf'{attr}="{key}">(\d+)<', html).group(1)  # noqa: E731
    assert re.search(r'id="total">5<', html)
    assert (cell("data-label", "negative"), cell("data-label", "neutral"), cell("data-label", "positive")) == \
        ("3", "1", "1")
    assert (cell("data-cat", "threat"), cell("data-cat", "misinformation")) == ("1", "1")
    answers = re.search(r'id="answers">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'class="num">([\d.]+)<', answers) == ["2", "1", "1", "3.0"]


def test_stranger_text_is_escaped(config, week_store):
    html = render_html(config, week_store, SINCE, UNTIL, charts=False)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_empty_week_says_so(config, store):
    html = render_html(config, store, SINCE, UNTIL)
    assert 'id="empty"' in html and "No hubo menciones" in html


def test_english_and_french(config, week_store):
    assert "Weekly report" in render_html(config, week_store, SINCE, UNTIL, "en", charts=False)
    assert "Rapport hebdomadaire" in render_html(config, week_store, SINCE, UNTIL, "fr", charts=False)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_pdf_renders_to_pages(config, week_store, tmp_path):
    pdf = write_report(config, week_store, SINCE, UNTIL, tmp_path / "r.pdf", "pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert 1 <= len(pages) <= 10
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Informe semanal" in text and "Electoral Nacional" in text


def test_report_email_arrives_with_the_pdf(config, week_store, smtp, tmp_path):
    res = pipeline.deliver_report(config, week_store, SINCE, UNTIL, tmp_path)
    assert res["sent"] == 1 == res["recipients"]
    msg = smtp.messages[-1]
    assert smtp.envelopes[-1][1] == ["direccion@ien.example.org"]
    assert "informe" in msg["subject"].lower()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "&lt;img src=x" in html and "<img src=x" not in html
    pdfs = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_content()[:5] == b"%PDF-"
    assert any(a["action"] == "report.sent" for a in week_store.audit_log())
    # The charts travel inside the message as cid: images: Gmail and Outlook block data: images.
    assert "data:image" not in html
    cids = re.findall(r'src="cid:([^"]+)"', html)
    parts = {p.get("Content-ID", "").strip("<>"): p for p in msg.walk() if p.get_content_type() == "image/png"}
    assert len(cids) == 2 and set(cids) <= set(parts), (cids, list(parts))
    assert all(parts[c].get_content()[:8] == b"\x89PNG\r\n\x1a\n" for c in cids)
    assert any(p.get_content_type() == "multipart/related" for p in msg.walk())


def test_a_spanish_report_speaks_spanish_in_local_time(config, week_store):
    from escucha.records import Incident

    opened = utc(2026, 11, 12, 5, 30)  # 23:30 on the 11th in Mexico City
    inc, _ = week_store.open_incident(Incident("threat:x:4", "threat", "critical", "Amenaza violenta de @u4",
                                               "Credible violent threat (pattern es.tiro, score 0.91 >= 0.5)",
                                               evidence=["x:4"]), opened)
    week_store.set_status(inc.id, "acknowledged", "ana", opened + timedelta(minutes=7))
    html = render_html(config, week_store, SINCE, UNTIL, charts=False)
    assert "<h1>Informe semanal" in html
    assert "del 2026-11-09 al 2026-11-15, hora de America/Mexico_City" in html  # the last day included
    summary = re.search(r'id="summary">(.*?)</ul>', html, re.S).group(1)
    assert "5 menciones recibidas" in summary and "1 incidentes, 1 críticos; mediana de acuse: 7 min" in summary
    assert "1 de 2 preguntas y quejas respondidas" in summary
    rows = re.search(r'id="incidents">(.*?)</table>', html, re.S).group(1)
    assert "CRÍTICO" in rows and "2026-11-11 23:30" in rows and "23:37 (ana)" in rows
    for english in ("critical", "Credible", "pattern", "es.tiro", "0.5", "Weekly"):
        assert english not in html.split("</style>")[1], english  # no English words, ids or thresholds


@pytest.mark.parametrize("since,until,title,previous", [
    (utc(2026, 11, 1, 6), utc(2026, 12, 1, 6), "Informe mensual", "mes anterior"),
    (utc(2026, 7, 1, 6), utc(2027, 1, 1, 6), "Informe semestral", "semestre anterior"),
    (utc(2026, 11, 9, 6), utc(2026, 11, 12, 6), "Informe del periodo", "periodo anterior")])
def test_the_title_follows_the_period(config, week_store, since, until, title, previous):
    html = render_html(config, week_store, since, until, charts=False)
    assert f"<h1>{title}" in html and previous in html and "semana anterior" not in html


def test_the_command_reads_both_days_as_included_local_days(tmp_path, env):
    from escucha.store import SQLiteStore

    from .test_cli_incidents import _cli

    store = SQLiteStore(tmp_path / "state.db")
    ms = [Mention("x", str(i), "hola @IEN_Oficial", Author(f"u{i}"), t, accounts=("x:@IEN_Oficial",))
          for i, t in enumerate([utc(2026, 11, 9, 5, 30),    # 23:30 on the 8th, local: outside
                                 utc(2026, 11, 9, 6, 30),    # 00:30 on the 9th: inside
                                 utc(2026, 11, 10, 5, 30),   # 23:30 on the 9th: inside, the last day included
                                 utc(2026, 11, 10, 6, 30)])]  # 00:30 on the 10th: outside
    store.upsert_mentions(ms)
    store.save_classifications([Classification(m.id, "v", {}, {"sentiment": "neutral"}) for m in ms])
    store.close()
    r = _cli(tmp_path, "report", "--from", "2026-11-09", "--to", "2026-11-09", "--out", str(tmp_path / "r.html"))
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert re.search(r'id="total">2<', html) and "<h1>Informe del periodo" in html
    assert "del 2026-11-09 al 2026-11-09" in html


def test_topics_are_key_phrases_without_stop_words_in_three_languages():
    from escucha.stopwords import key_phrases

    texts = ["El fraude electoral en Jalisco, otra vez https://t.co/fraude", "Hubo fraude electoral, lo sabemos",
             "¿fraude electoral? no lo creo", "Le bureau de vote est fermé à Lyon", "Le bureau de vote a fermé tôt",
             "The polling station is closed", "Why is the polling station closed?", "gracias, puedo votar mañana",
             "puedo votar en otra casilla?"]
    got = dict(key_phrases(texts, 6))
    assert got["fraude electoral"] == 3 and got["bureau de vote"] == 2 and got["polling station"] == 2
    assert "puedo" not in got and "gracias" not in got and not any("http" in k or "t.co" in k for k in got)
    assert all(k.split()[0] not in ("el", "le", "the", "de") for k in got)
