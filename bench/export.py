"""`escucha export` of 200,000 classified mentions: wall seconds and peak memory of the
export, in a child process each; the JSON line gives the slowest format and the highest peak. The baseline is what one writes by hand: every row read
at once (``store.classified``) and written with the csv module, without words, local
times or formula escaping.

    python bench/export.py [--rows 200000] [--formats csv parquet xlsx]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench._util import report  # noqa: E402

_CHILD = r"""
import csv, json, os, resource, sys, time, tomllib
sys.path.insert(0, {root!r})
from escucha.config import parse
from escucha.store import SQLiteStore
env = {{k: "mailto://u:p@127.0.0.1:2525?from=a@b.org&to=c@d.org" for k in (
    "ESCUCHA_ANA_EMAIL", "ESCUCHA_LUIS_EMAIL", "ESCUCHA_MARTA_EMAIL", "ESCUCHA_JORGE_EMAIL", "ESCUCHA_REPORT_EMAIL")}}
env.update(ESCUCHA_ANA_WEBHOOK="json://127.0.0.1:9/h", ESCUCHA_X_BEARER_TOKEN="t", ESCUCHA_LINK_SECRET="b" * 43)
with open(os.path.join({root!r}, "escucha.example.toml"), "rb") as fh:
    cfg = parse(tomllib.load(fh), "escucha.example.toml", env=env, base_dir=__import__("pathlib").Path({tmp!r}))
store = SQLiteStore({db!r})
start = time.perf_counter()
if {fmt!r} == "baseline":
    with open({out!r}, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for m, c in store.classified():
            w.writerow([m.id, m.created_at.isoformat(), m.author.handle, m.text, *c.labels.values()])
    rows = None
else:
    from escucha.export import write_export
    rows = write_export(cfg, store, {out!r}, fmt={fmt!r})["rows"]
print(json.dumps({{"seconds": time.perf_counter() - start, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def build(db: str, n: int) -> None:
    from escucha.records import Author, Classification, Flag, Mention
    from escucha.store import SQLiteStore

    store = SQLiteStore(db)
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    words = ("el instituto", "la casilla", "=SUMA(A1)", "¿dónde voto?", "pésimo servicio", "gracias por la info")
    for start in range(0, n, 10_000):
        ms, cs = [], []
        for i in range(start, min(n, start + 10_000)):
            m = Mention("x", str(i), f"{words[i % 6]} número {i} " + "texto de relleno " * (i % 8),
                        Author(f"u{i % 5000}", display_name=f"Usuario {i % 5000}", followers=i % 9000),
                        t0 + timedelta(seconds=150 * i), accounts=("x:@IEN_Oficial",), lang="es",
                        metrics={"likes": i % 50, "reposts": i % 7})
            ms.append(m)
            neg = i % 3 == 0
            cs.append(Classification(m.id, "v", {"sentiment": {"negative": 0.8 if neg else 0.1},
                                                 "threat": {"threat": 0.01}},
                                     {"sentiment": "negative" if neg else "neutral", "threat": "not_threat",
                                      "offensive": "offensive" if i % 11 == 0 else "not_offensive",
                                      "misinformation": "real", "claim": "none", "request": "none"},
                                     (Flag("offensive", "offensive", 0.9, "lexicon", "x"),) if i % 11 == 0 else ()))
        store.upsert_mentions(ms)
        store.save_classifications(cs)
    store.close()


def run(tmp, db, fmt):
    out = os.path.join(tmp, f"out.{'csv' if fmt == 'baseline' else fmt}")
    code = _CHILD.format(root=ROOT, tmp=tmp, db=db, fmt=fmt, out=out)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"{fmt} export failed:\n{res.stderr[-3000:]}")
    got = json.loads(res.stdout.strip().splitlines()[-1])
    got["mb_file"] = round(os.path.getsize(out) / 1e6, 1)
    os.unlink(out)
    return got


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--formats", nargs="+", default=["csv", "parquet", "xlsx"], choices=["csv", "parquet", "xlsx"])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.db")
        start = time.perf_counter()
        build(db, a.rows)
        print(f"built {a.rows:,} classified mentions in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        base = run(tmp, db, "baseline")
        results = {fmt: run(tmp, db, fmt) for fmt in a.formats}
    for fmt, r in results.items():
        print(f"{fmt}: {r['rows']:,} rows in {r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MB, file {r['mb_file']} MB",
              file=sys.stderr)
    print(f"baseline (all rows at once, csv module): {base['seconds']:.1f} s, peak {base['peak_mb']:.0f} MB",
          file=sys.stderr)
    slowest = max(results, key=lambda f: results[f]["seconds"])  # the goal holds for every format
    report("export", results[slowest]["seconds"], "s", base["seconds"], rows=a.rows, format=slowest,
           peak_mb=round(max(r["peak_mb"] for r in results.values())), baseline_peak_mb=round(base["peak_mb"]),
           formats={f: {"seconds": round(r["seconds"], 1), "peak_mb": round(r["peak_mb"])} for f, r in results.items()},
           goal="200,000 rows in < 30 s with peak < 500 MB")


if __name__ == "__main__":
    main()
