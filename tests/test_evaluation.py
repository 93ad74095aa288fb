"""``escucha classify eval``, the command independent evaluations run: through the real CLI."""
import csv
import json
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "lab" / "data" / "threat_suites"


def _eval(*args):
    return subprocess.run([sys.executable, "-m", "escucha.cli", "classify", "eval", *args],
                          capture_output=True, text=True, timeout=600)


def test_threat_eval_json_is_consistent_with_its_file_and_counts_what_pages(tmp_path):
    rows = list(csv.DictReader((DATA / "threat_holdout.csv").open(encoding="utf-8")))
    r = _eval("--task", "threat", "--data", str(DATA / "threat_holdout.csv"), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"task", "n", "macro_f1", "per_class", "confusion"} <= set(out) and out["task"] == "threat"
    assert out["n"] == len(rows)
    truth = {c: sum(x["label"] == c for x in rows) for c in ("threat", "not_threat")}
    for c, n in truth.items():
        assert out["per_class"][c]["support"] == n == sum(out["confusion"][c].values())
        assert set(out["per_class"][c]) == {"precision", "recall", "f1", "support"}
        # Paging is a subset of flagging: nothing pages that the confusion does not call a threat.
        assert out["paging"][c]["of"] == n and 0 <= out["paging"][c]["paged"] <= out["confusion"][c]["threat"]
    assert out["per_class"]["threat"]["recall"] == out["confusion"]["threat"]["threat"] / truth["threat"]
    assert out["paging"]["threat"]["paged"] >= 1  # the holdout's threats are direct: patterns page them
    assert 0.0 <= out["macro_f1"] <= 1.0
    assert 0.0 <= out["calibration"]["ece"] <= 1.0 and sum(b["n"] for b in out["calibration"]["bins"]) == len(rows)


def test_text_output_names_the_scores_the_confusion_and_the_skipped_rows(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("text,label\nQué buen servicio gracias a todos,positive\nEsto es un desastre,negative\n"
                 "La oficina abre a las 9,neutral\nhola,positivo\n", encoding="utf-8")
    r = _eval("--task", "sentiment", "--data", str(f))
    assert r.returncode == 0, r.stderr
    assert "task sentiment: n=3 macro-F1" in r.stdout and "confusion (rows: true, columns: predicted)" in r.stdout
    assert "paging" not in r.stdout
    assert "calibration of the model's probabilities (before patterns and thresholds): ECE" in r.stdout
    assert "1 rows skipped" in r.stderr and "label must be one of negative, neutral, positive; got 'positivo'" in r.stderr


def test_a_missing_file_or_wrong_columns_are_named_without_a_traceback(tmp_path):
    r = _eval("--task", "threat", "--data", str(tmp_path / "nope.csv"))
    assert r.returncode != 0 and "nope.csv: file not found" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("texto,etiqueta\nhola,threat\n", encoding="utf-8")
    r = _eval("--task", "threat", "--data", str(bad))
    assert r.returncode != 0 and "columns must include label, text; got etiqueta, texto" in r.stderr
    assert "Traceback" not in r.stderr


def test_files_as_spreadsheets_save_them_are_read_and_bad_bytes_are_named(tmp_path):
    rows = "text,label\nVamos a quemar la catedral el domingo,threat\nLa catedral abre a las 9,not_threat\n"
    want = None
    for name, data in (("plain.csv", rows.encode("utf-8")),
                       ("bom.csv", b"\xef\xbb\xbf" + rows.encode("utf-8")),  # Excel's "CSV UTF-8"
                       ("utf16.csv", rows.encode("utf-16")),  # "Unicode text", with its BOM
                       ("typed.csv", rows.replace("text,label", " Text , Label").replace(",threat", ",Threat")
                        .encode("utf-8"))):
        f = tmp_path / name
        f.write_bytes(data)
        r = _eval("--task", "threat", "--data", str(f), "--json")
        assert r.returncode == 0, (name, r.stderr)
        out = json.loads(r.stdout)
        assert out["n"] == 2, name
        want = want or out["confusion"]
        assert out["confusion"] == want, name  # the same texts, whatever the encoding
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("text,label\nla sede abrió,not_threat\nmañana quemamos la sede,threat\n".encode("latin-1"))
    r = _eval("--task", "threat", "--data", str(latin))
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "latin1.csv:2: must be UTF-8 text; byte 0xf3" in r.stderr and "save the file as UTF-8" in r.stderr


def test_errors_file_holds_every_row_with_its_decision_severity_and_reasons(tmp_path):
    rows = list(csv.DictReader((DATA / "threat_holdout.csv").open(encoding="utf-8")))
    errors = tmp_path / "errors.csv"
    r = _eval("--task", "threat", "--data", str(DATA / "threat_holdout.csv"), "--json", "--errors", str(errors))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    got = list(csv.DictReader(errors.open(encoding="utf-8")))
    assert sorted(g["text"] for g in got) == sorted(x["text"] for x in rows)
    wrong = [g for g in got if g["correct"] == "False"]
    assert got[: len(wrong)] == wrong  # the misses and false alarms come first
    assert len(wrong) == sum(out["confusion"][t][p] for t in out["confusion"] for p in out["confusion"][t] if t != p)
    flagged = [g for g in got if g["decision"] == "threat"]
    assert flagged and all(g["severity"] in ("critical", "high") and g["reasons"] for g in flagged)
    assert sum(g["severity"] == "critical" for g in got if g["gold"] == "threat") == out["paging"]["threat"]["paged"]
    assert all(g["severity"] == "" and g["reasons"] == "" for g in got if g["decision"] != "threat")


def test_the_fake_news_head_alone_flags_nothing_about_an_institution(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("text,label\n"
                 "The ministry publishes its flu report every Thursday,real\n"
                 "El instituto abre sus módulos el sábado de 9 a 14 horas,real\n"
                 "Le ministère publie chaque jeudi son bulletin sur la grippe,real\n"
                 "Miracle cure: drinking bleach kills the virus, doctors hide it,fake\n", encoding="utf-8")
    r = _eval("--task", "misinformation", "--data", str(f), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # No register in the default configuration: nothing is a known false claim, so nothing is fake.
    assert out["confusion"]["real"]["fake"] == 0 and out["confusion"]["fake"]["fake"] == 0
