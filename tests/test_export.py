"""escucha export and escucha.frames: typed tables, spreadsheet-safe cells, round trips
through CSV, Excel and Parquet, the report's counts for the same local period, the view's
download, and bad input named without a traceback."""
import csv
import re
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pandas as pd
import pytest

from alerting.escalation import tick
from dashboards.queries import summary
from dashboards.web.app import App
from escucha import frames
from escucha.export import write_export
from escucha.records import Author, Classification, Flag, Incident, Mention
from escucha.store import SQLiteStore

from .conftest import utc
from .test_cli_incidents import _cli

# Local days in Mexico City (UTC-6): a post at 05:30 UTC on the 9th is 23:30 on the 8th.
EDGE_BEFORE, EDGE_AFTER = utc(2026, 11, 9, 5, 30), utc(2026, 11, 9, 6, 30)
TEXTS = ["=HYPERLINK(\"http://evil.example\",\"clic\")", "+52 votos anulados", "-2 casillas cerradas",
         "@IEN_Oficial ¿dónde voto?", "Votación tranquila en la casilla 12", "muy mal servicio\x07 hoy"]


def _fill(store, n=None, start=EDGE_AFTER, own_reply=True):
    texts = TEXTS if n is None else [f"mención {i}" for i in range(n)]
    ms = [Mention("x", str(i), t, Author(f"u{i}", display_name="=cmd|' /C calc'!A0" if i == 0 else f"U {i}",
                                         followers=i * 10),
                  start + timedelta(hours=i), accounts=("x:@IEN_Oficial",) if i % 2 else ("x:@IEN_Informa",),
                  lang="es", metrics={"likes": i, "reposts": 1})
          for i, t in enumerate(texts)]
    ms.append(Mention("x", "before", "antes del periodo", Author("u9"), EDGE_BEFORE, accounts=("x:@IEN_Oficial",)))
    if own_reply:
        ms.append(Mention("x", "r3", "@u3 en nuestro sitio", Author("IEN_Oficial"), start + timedelta(hours=5),
                          own=True, in_reply_to="x:3", accounts=("x:@IEN_Oficial",)))
    store.upsert_mentions(ms)
    store.save_classifications([Classification(
        m.id, "v", {"sentiment": {"negative": 0.8 if i % 2 else 0.1}, "threat": {"threat": 0.9 if i == 0 else 0.0}},
        {"sentiment": "negative" if i % 2 else "neutral", "threat": "threat" if i == 0 else "not_threat",
         "misinformation": "fake" if i == 1 else "real", "request": "question" if i == 3 else "none"},
        (Flag("threat", "threat", 0.9, "internal reason", "pattern_x"),) if i == 0 else
        (Flag("misinformation", "fake", 0.95, "internal", "casillas-cerradas"),) if i == 1 else ())
        for i, m in enumerate(ms)])
    return ms


def test_frames_are_typed_local_and_filtered(config, store):
    _fill(store)
    df = frames.mentions(config, EDGE_AFTER, EDGE_AFTER + timedelta(days=1), store=store)
    assert list(df.id) == [f"x:{i}" for i in range(6)] + ["x:r3"]
    assert str(df.created_at.dt.tz) == "America/Mexico_City" and df.created_at[0].hour == 0  # 06:30 UTC
    assert isinstance(df.sentiment.dtype, pd.CategoricalDtype) and list(df.sentiment.cat.categories) == \
        ["negative", "neutral", "positive"]
    assert df.threat.tolist()[0] == "critical" and df.threat.dtype.ordered
    assert str(df.likes.dtype) == "Int64" and df.own.dtype == bool and df.score_threat[0] == 0.9
    assert df.needs_answer.tolist() == [False, False, False, True, False, False, False]
    only = frames.mentions(config, store=store, label="negative", account="x:@IEN_Oficial")
    assert list(only.id) == ["x:1", "x:3", "x:5", "x:r3"]
    assert list(frames.mentions(config, store=store, q="VOTACION casilla").id) == ["x:4"]  # any case or accent
    assert len(frames.mentions(config, store=store, q="nadie escribió esto")) == 0


def test_chunks_stream_and_never_hold_more_than_a_chunk(config, store):
    _fill(store, n=25, own_reply=False)
    batches = list(store.iter_classified(batch=7))
    assert [len(b) for b in batches] == [7, 7, 7, 5]  # 25 + the one before the period
    chunks = list(frames.mention_chunks(config, store, EDGE_AFTER, chunk=10))
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert [m for c in chunks for m in c.id] == [f"x:{i}" for i in range(25)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_strangers_text_becomes_a_formula(config, store, tmp_path, fmt):
    _fill(store)
    out = tmp_path / f"m.{fmt}"
    write_export(config, store, out, since=EDGE_AFTER, until=EDGE_AFTER + timedelta(days=1))
    if fmt == "csv":
        rows = list(csv.reader(out.open(encoding="utf-8-sig")))
        header, rows = rows[0], rows[1:]
        text, author = [r[header.index("texto")] for r in rows], rows[0][header.index("nombre del autor")]
        for lead in "=+-@":
            cell = next(t for t in text if t.lstrip("'").startswith(lead))
            assert cell.startswith("'" + lead), cell
        assert author.startswith("'=")
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(out).active
        header = [c.value for c in sheet[1]]
        col = header.index("texto")
        cells = [row[col] for row in sheet.iter_rows(min_row=2)]
        assert all(c.data_type == "s" for c in cells)  # text, never a formula ("f")
        assert [c.value for c in cells[:4]] == TEXTS[:4]
        assert cells[5].value == "muy mal servicio hoy"  # a control character XML cannot hold is dropped
        assert sheet.cell(2, header.index("nombre del autor") + 1).data_type == "s"


def test_round_trips_through_csv_excel_and_parquet(config, store, tmp_path):
    _fill(store)
    since, until = EDGE_AFTER, EDGE_AFTER + timedelta(days=1)
    back = {}
    for fmt, read in (("csv", lambda p: pd.read_csv(p, encoding="utf-8-sig", keep_default_na=False)),
                      ("xlsx", pd.read_excel), ("parquet", pd.read_parquet)):
        res = write_export(config, store, tmp_path / f"m.{fmt}", since=since, until=until)
        back[fmt] = read(res["path"])
        assert res["rows"] == len(back[fmt]) == 7
    zone = "fecha (America/Mexico_City)"
    for fmt, df in back.items():
        assert list(df["id"]) == [f"x:{i}" for i in range(6)] + ["x:r3"], fmt
        assert str(pd.Timestamp(df[zone][0])) == "2026-11-09 00:30:00", fmt
        assert list(df["sentimiento"][:2]) == ["neutral", "negativo"], fmt
        assert df["amenaza"][0] == "sí, avisó al comité" and df["motivos"][0] == "amenaza violenta: avisó al comité"
        assert "internal" not in " ".join(map(str, df["motivos"]))  # reasons in words, not the scorer's internals
        assert int(df["me gusta"][4]) == 4
    assert back["csv"]["texto"][4] == back["xlsx"]["texto"][4] == back["parquet"]["texto"][4] == TEXTS[4]
    assert back["parquet"]["texto"][0] == TEXTS[0]  # no spreadsheet opens Parquet: the text as it was


def test_counts_equal_the_reports_and_the_views_for_the_same_local_days(tmp_path, config):
    store = SQLiteStore(tmp_path / "state.db")
    _fill(store)
    store.close()
    # The 9th to the 10th in Mexico City: the post at 23:30 local on the 8th is outside.
    out = tmp_path / "m.csv"
    r = _cli(tmp_path, "export", "--from", "2026-11-09", "--to", "2026-11-09", "--out", str(out))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    incoming = [row for row in rows if row["propia"] == "no"]
    assert "x:before" not in {row["id"] for row in rows}
    report = _cli(tmp_path, "report", "--from", "2026-11-09", "--to", "2026-11-09", "--out", str(tmp_path / "r.html"))
    assert report.returncode == 0, report.stderr
    total = int(re.search(r'id="total">(\d+)<', (tmp_path / "r.html").read_text()).group(1))
    assert total == len(incoming) == 6
    store = SQLiteStore(tmp_path / "state.db")
    since = pd.Timestamp("2026-11-09", tz="America/Mexico_City").to_pydatetime()
    view = summary(store, since, since + timedelta(days=1), config.tz)
    df = frames.mentions(config, since, since + timedelta(days=1), store=store)
    assert view["total"] == (~df.own).sum() == 6
    assert view["sentiment"]["negative"] == int((df[~df.own].sentiment == "negative").sum())


def test_incidents_and_unanswered_export_with_pages_in_words(tmp_path, config, store):
    ms = _fill(store)
    inc, _ = store.open_incident(Incident("threat:x:0", "threat", "critical", "Amenaza", "internal explanation",
                                          evidence=["x:0"]), EDGE_AFTER + timedelta(minutes=5))
    tick(config, store, EDGE_AFTER + timedelta(minutes=5))
    store.set_status(inc.id, "acknowledged", "ana", EDGE_AFTER + timedelta(minutes=9))
    res = write_export(config, store, tmp_path / "i.csv", "incidents", since=EDGE_AFTER,
                       until=EDGE_AFTER + timedelta(days=1))
    row = next(csv.DictReader((tmp_path / "i.csv").open(encoding="utf-8-sig")))
    assert res["rows"] == 1 and row["tipo"] == "amenaza" and row["gravedad"] == "CRÍTICO"
    assert row["acuse de recibo (America/Mexico_City)"] == "2026-11-09 00:39:00" and row["acusado por"] == "ana"
    assert row["avisos"].startswith("2026-11-09 00:35 avisado ana (paso 1)") and row["avisos enviados"] == "1"
    assert "internal explanation" not in (tmp_path / "i.csv").read_text(encoding="utf-8-sig")
    late = ms[3].created_at + timedelta(hours=50)
    res = write_export(config, store, tmp_path / "u.xlsx", "unanswered", until=late)
    df = pd.read_excel(tmp_path / "u.xlsx")
    assert res["rows"] == 0  # the question was answered by the own reply
    replace_store = SQLiteStore(tmp_path / "other.db")
    _fill(replace_store, own_reply=False)
    write_export(config, replace_store, tmp_path / "u.xlsx", "unanswered", until=late)
    df = pd.read_excel(tmp_path / "u.xlsx")
    assert list(df["id"]) == ["x:3"] and df["horas de espera"][0] == 50.0
    replace_store.close()


def test_weekly_series_leaves_weeks_without_data_missing(store):
    until = utc(2026, 11, 30)
    store.upsert_mentions([Mention("x", "a", "hola", Author("u"), until - timedelta(days=2)),
                           Mention("x", "b", "mal", Author("v"), until - timedelta(days=3)),
                           Mention("x", "own", "aviso", Author("IEN"), until - timedelta(days=16), own=True)])
    store.save_classifications([Classification("x:a", "v", {}, {"sentiment": "neutral"}),
                                Classification("x:b", "v", {}, {"sentiment": "negative"}),
                                Classification("x:own", "v", {}, {"sentiment": "neutral"})])
    w = frames.weekly(store, until, 4)
    assert len(w) == 4 and w.index[-1] == pd.Timestamp(until)
    assert w.mentions.isna().tolist() == [True, False, True, False]  # a week with only an own post is 0, not missing
    assert w.mentions.tolist()[1] == 0 and w.mentions.tolist()[3] == 2 and w.negative.tolist()[3] == 1


class _Quiet(WSGIRequestHandler):
    def log_request(self, *a):
        pass


def _get(url):
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_the_view_downloads_the_same_export_behind_its_login(config, store, env, tmp_path, monkeypatch):
    from .test_web_login import _config

    _fill(store)
    now = EDGE_AFTER + timedelta(hours=12)
    for cfg in (config, _config(env, tmp_path, monkeypatch)):
        httpd = make_server("127.0.0.1", 0, App(cfg, store, clock=lambda: now), handler_class=_Quiet)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_port}"
        try:
            if cfg.web.users:  # with users, nobody downloads without logging in
                req = urllib.request.Request(f"{base}/export?days=1&format=csv")
                opener = urllib.request.build_opener(_NoRedirect)
                with pytest.raises(urllib.error.HTTPError) as e:
                    opener.open(req)
                assert e.value.code == 303 and e.value.headers["Location"].startswith("/login?next=%2Fexport")
                continue
            status, headers, body = _get(f"{base}/export?days=1&format=csv")
            assert status == 200 and "attachment" in headers["Content-Disposition"]
            rows = list(csv.DictReader(body.decode("utf-8-sig").splitlines()))
            view = summary(store, now - timedelta(days=1), now + timedelta(seconds=1), config.tz)
            assert sum(r["propia"] == "no" for r in rows) == view["total"] == 7  # the 23:30 post is within a day
            status, _, body = _get(f"{base}/export?days=1&format=xlsx&q=votacion")
            assert status == 200 and body[:2] == b"PK"  # a zip: an xlsx workbook
            status, _, body = _get(f"{base}/export?format=pdf")
            assert status == 400 and b"format must be csv or xlsx" in body
            status, _, page = _get(f"{base}/?days=1")
            assert b'href="/export?days=1&amp;q=&amp;lang=es&amp;format=csv"' in page
        finally:
            httpd.shutdown()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


@pytest.mark.parametrize("args,message", [
    (["--from", "ayer"], "--from must be a date YYYY-MM-DD"),
    (["--from", "2026-11-10", "--to", "2026-11-09"], "must end after it starts"),
    (["--out", "m.txt"], "export format must be one of csv, xlsx, parquet"),
    (["--out", "."], "--out must be a file"),
    (["--table", "incidents", "--label", "threat"], "filter mentions"),
    (["--label", "amenaza"], "Invalid value for '--label'"),
])
def test_bad_input_is_named_without_a_traceback(tmp_path, env, args, message):
    SQLiteStore(tmp_path / "state.db").close()
    if "--out" not in args:
        args = [*args, "--out", str(tmp_path / "m.csv")]
    r = _cli(tmp_path, "export", *args)
    assert r.returncode != 0 and message in r.stderr + r.stdout, r.stderr
    assert "Traceback" not in r.stderr
    assert not list(tmp_path.glob("m.*")) and not list(tmp_path.glob("*.part"))


def test_the_readmes_notebook_example_gives_the_stored_counts(config, store):
    _fill(store)
    df = frames.mentions(config, EDGE_BEFORE, EDGE_AFTER + timedelta(days=1), store=store)
    by_day = df[~df.own].groupby(["accounts", df.created_at.dt.date]).size()
    # local days: the post at 05:30 UTC on the 9th belongs to the 8th in Mexico City
    assert by_day.to_dict() == {("x:@IEN_Informa", pd.Timestamp("2026-11-09").date()): 3,
                                ("x:@IEN_Oficial", pd.Timestamp("2026-11-08").date()): 1,
                                ("x:@IEN_Oficial", pd.Timestamp("2026-11-09").date()): 3}
    share = df[~df.own].set_index("created_at").resample("W").sentiment.value_counts(normalize=True)
    assert share.groupby(level=0).sum().round(6).eq(1).all()
    # weeks end on Sunday: the 8th (one neutral post) and the 15th (3 negative of 6)
    assert share.xs("negative", level=1).tolist() == [0.0, 0.5]
