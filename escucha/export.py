"""``escucha export``: mentions, incidents or the unanswered list as CSV, Excel or Parquet.

Built on :mod:`escucha.frames` a chunk at a time, so a year of mentions streams through in
flat memory. What an analyst reads is in the institution's language: column names (times
carry the zone in theirs), labels and reasons in words, local times. Text written by
strangers never becomes a spreadsheet formula: in CSV a cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe (as OWASP advises), in
Excel every text cell is stored as text. Parquet keeps the text as it is (no spreadsheet
opens it) but the same columns.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from escucha import frames, periods
from escucha.errors import EscuchaError, InputError
from escucha.i18n import EXPORT, TEXT

FORMATS = ("csv", "xlsx", "parquet")
TABLES = ("mentions", "incidents", "unanswered")
XLSX_ROWS = 1_048_575  # Excel's sheet holds 1,048,576 rows, the header among them
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(v):
    """A text a spreadsheet shows as text: a leading formula character is escaped with '."""
    return "'" + v if isinstance(v, str) and v.startswith(_FORMULA) else v


def _words(df, table: str, lang: str, config):
    """The table as an analyst reads it: local times without offset (the zone is in the
    header), labels and reasons in words, headers in the institution's language."""
    import pandas as pd

    w, t = EXPORT[lang], TEXT[lang]
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None).dt.floor("s")
    yes_no = {True: w["yes"], False: w["no"]}
    if table == "mentions":
        for col in ("verified", "own", "offensive", "hate", "misinformation", "needs_answer", "unscorable"):
            out[col] = out[col].map(yes_no)
        out["sentiment"] = out["sentiment"].astype(object).map(lambda s: t.get(s, s))
        out["threat"] = out["threat"].astype(object).map(lambda s: w["threat_" + s])
        out["claim"] = out["claim"].astype(object).map(lambda s: w.get("claim_" + s, s))
        out["request"] = out["request"].astype(object).map(lambda s: w.get("request_" + s, s))
        claims = {c.id: c.claim for c in config.claims}
        out["flags"] = out["flags"].map(lambda fl: "; ".join(dict.fromkeys(_reason(f, w, claims) for f in fl)))
    elif table == "incidents":
        out["severity"] = out["severity"].astype(object).map(lambda s: t.get(f"severity_{s}", s))
        out["kind"] = out["kind"].astype(object).map(lambda s: w.get("kind_" + s, s))
        out["status"] = out["status"].astype(object).map(lambda s: w.get("status_" + s, s))
        out["timeline"] = out["timeline"].map(lambda pages: "; ".join(
            f"{periods.local(config.tz, at)} {w['page_' + st] if 'page_' + st in w else st} "
            f"{member} ({w['step']} {step + 1})" for at, member, st, step in pages if at))
    zone = config.timezone
    return out.rename(columns=lambda c: w["col_" + c] + (f" ({zone})" if c.endswith("_at") else ""))


def _reason(flag, w, claims) -> str:
    task, label, evidence = flag
    if task == "threat":
        return w["why_threat_critical"] if label == "threat" else w["why_threat_high"]
    if task == "misinformation":
        claim = claims.get(evidence)
        return w["why_claim"] + (f": «{claim}»" if claim else "")
    return w.get(f"why_{task}", task)


def reasons_in_words(config, c, lang: str) -> str:
    """Why a classified mention was flagged, in the reader's words (never a pattern id or a score)."""
    claims = {cl.id: cl.claim for cl in config.claims}
    return "; ".join(dict.fromkeys(_reason((f.task, f.label, f.evidence), EXPORT[lang], claims) for f in c.flags))


def _chunks(config, store, table, since, until, filters):
    if table == "mentions":
        yield from frames.mention_chunks(config, store, since, until, **filters)
    elif table == "incidents":
        yield frames.incidents(config, since, until, store)
    else:
        yield frames.unanswered(config, until, store)


class _CSV:
    def __init__(self, path, title=None):
        # utf-8-sig: Excel reads a file with the byte-order mark as UTF-8, not as the local code page.
        self.f = open(path, "w", encoding="utf-8-sig", newline="")
        self.first = True

    def write(self, df):
        for col in df.select_dtypes(include=["object", "string"]).columns:
            s = df[col]
            risky = s.str.startswith(_FORMULA).fillna(False).astype(bool)  # vectorised safe_cell
            if risky.any():
                df[col] = s.where(~risky, "'" + s.astype(str))
        df.to_csv(self.f, header=self.first, index=False)
        self.first = False

    def close(self):
        self.f.close()


class _XLSX:
    def __init__(self, path, title):
        from escucha.xlsx import SheetWriter

        self.sheet, self.rows = SheetWriter(path, title), 0

    def write(self, df):
        self.rows += len(df)
        if self.rows > XLSX_ROWS:
            raise InputError(f"an Excel sheet holds at most {XLSX_ROWS:,} rows and this export has more; "
                             "choose --format csv or parquet, or a shorter period")
        self.sheet.write(df)

    def close(self):
        self.sheet.close()


class _Parquet:
    def __init__(self, path, title=None):
        try:
            import pyarrow  # noqa: F401
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise EscuchaError("parquet export needs pyarrow: pip install 'escucha[xlsx]'") from None
        self.path, self.writer, self.schema = path, None, None

    def write(self, df):
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        if self.writer is None:
            self.schema = table.schema
            self.writer = pq.ParquetWriter(self.path, self.schema)
        self.writer.write_table(table.cast(self.schema))

    def close(self):
        if self.writer is not None:
            self.writer.close()


_WRITERS = {"csv": _CSV, "xlsx": _XLSX, "parquet": _Parquet}


def write_export(config, store, out, table: str = "mentions", fmt: str | None = None, since=None, until=None,
                 lang: str | None = None, filters: dict | None = None) -> dict:
    """Write ``table`` for [since, until) to ``out`` in ``lang``'s words; ``fmt`` defaults to
    the file's suffix; ``filters`` (mentions only): account, lang (of the post), label, q.
    Returns the path and the number of rows. A failed export leaves no half-written file."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    out = Path(out)
    if out.is_dir():
        raise InputError(f"--out must be a file, got the folder {out}")
    if fmt is None and out.suffix.lstrip(".").lower() not in FORMATS:
        raise InputError(f"export format must be one of {', '.join(FORMATS)}: give --format, or an --out ending "
                         f"in .csv, .xlsx or .parquet; got {out.name!r}")
    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise InputError(f"export format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    if table not in TABLES:
        raise InputError(f"export table must be one of {', '.join(TABLES)}; got {table!r}")
    lang = lang or config.report.lang
    if lang not in EXPORT:
        raise InputError(f"export language must be one of {', '.join(EXPORT)}; got {lang!r}")
    if since and until and until <= since:
        raise InputError(f"the export's period must end after it starts; got from {since:%Y-%m-%d %H:%M} "
                         f"to {until:%Y-%m-%d %H:%M}")
    frames.check_label(filters.get("label"))
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    writer = _WRITERS[fmt](part, EXPORT[lang]["sheet_" + table])
    rows = 0
    try:
        for df in _chunks(config, store, table, since, until, filters):
            df = _words(df, table, lang, config)
            rows += len(df)
            writer.write(df)
        writer.close()
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    part.replace(out)
    return {"path": str(out), "rows": rows, "format": fmt, "table": table}


def feedback_rows(store) -> list[dict]:
    """The analysts' triage of flagged mentions (the workspace's correct / wrong / answered), as
    labelled data for retraining and evaluation: the text, what the model said, the verdict,
    who and when. A mention judged twice keeps its latest verdict; one erased since is left out."""
    latest: dict[str, dict] = {}
    for row in store.audit_log():
        if row["action"] == "triage":
            d = row.get("detail") or {}
            latest[str(d.get("mention"))] = {"verdict": d.get("verdict"), "labels": d.get("labels") or {},
                                            "model": d.get("model", ""), "by": row.get("actor") or "",
                                            "at": str(row.get("at") or "")}
    rows = []
    for mention_id, v in latest.items():
        m = store.get_mention(mention_id)
        if m is None:
            continue
        rows.append({"id": m.id, "platform": m.platform, "lang": m.lang or "und", "text": m.text,
                     "created_at": m.created_at.isoformat(), **v})
    return rows


def write_feedback(store, out) -> dict:
    """``escucha feedback export``: JSON lines (.jsonl) or CSV (.csv), by the file's suffix."""
    out = Path(out)
    if out.suffix not in (".jsonl", ".csv"):
        raise InputError(f"--out must end in .jsonl or .csv; got {out.name!r}")
    rows = feedback_rows(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        if out.suffix == ".jsonl":
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            w = csv.DictWriter(f, ["id", "platform", "lang", "text", "created_at", "verdict", "labels", "model", "by",
                                   "at"])
            w.writeheader()
            for r in rows:
                w.writerow({**r, "text": safe_cell(r["text"]), "labels": json.dumps(r["labels"], ensure_ascii=False)})
    return {"path": str(out), "rows": len(rows)}
