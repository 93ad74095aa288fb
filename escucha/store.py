"""The store interface and the embedded default: one SQLite file, no server.

Every write is an idempotent upsert keyed by a deterministic id, so an Airflow
retry or a second run over the same input changes nothing.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator

from escucha.errors import StoreError
from escucha.records import Classification, Delivery, Incident, Mention, iso, parse_time, utcnow


class Store(ABC):
    """What the pipeline needs from a store. Implementations: ``sqlite`` (default)."""

    @abstractmethod
    def upsert_mentions(self, mentions: Iterable[Mention]) -> int:
        """Store mentions; return how many were new."""

    @abstractmethod
    def get_mention(self, mention_id: str) -> Mention | None: ...

    @abstractmethod
    def mentions(self, since: datetime | None = None, until: datetime | None = None,
                 account: str | None = None) -> Iterator[Mention]: ...

    @abstractmethod
    def search(self, query: str, limit: int = 50) -> list[Mention]: ...

    @abstractmethod
    def delete_mentions(self, ids: Iterable[str]) -> int: ...

    @abstractmethod
    def quarantine(self, source: str, reason: str, payload: str) -> None: ...

    @abstractmethod
    def get_checkpoint(self, collector: str, key: str) -> str | None: ...

    @abstractmethod
    def set_checkpoint(self, collector: str, key: str, value: str) -> None: ...

    @abstractmethod
    def unclassified(self, model_version: str, limit: int = 10_000) -> list[Mention]: ...

    @abstractmethod
    def save_classifications(self, items: Iterable[Classification]) -> int: ...

    @abstractmethod
    def classification(self, mention_id: str) -> Classification | None: ...

    @abstractmethod
    def audit(self, action: str, detail: dict, incident_id: int | None = None, actor: str = "escucha",
              at: datetime | None = None) -> None: ...


SCHEMA = """
CREATE TABLE IF NOT EXISTS mentions (
  id TEXT PRIMARY KEY, platform TEXT NOT NULL, native_id TEXT NOT NULL, text TEXT NOT NULL,
  author_handle TEXT, author_followers INTEGER, created_at TEXT NOT NULL, collected_at TEXT,
  lang TEXT, own INTEGER DEFAULT 0, in_reply_to TEXT, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_created ON mentions(created_at);
CREATE INDEX IF NOT EXISTS mentions_author ON mentions(author_handle);
CREATE INDEX IF NOT EXISTS mentions_reply ON mentions(in_reply_to);
CREATE TABLE IF NOT EXISTS mention_accounts (
  mention_id TEXT NOT NULL, account TEXT NOT NULL, PRIMARY KEY (mention_id, account)
);
CREATE VIRTUAL TABLE IF NOT EXISTS mentions_fts USING fts5(
  text, content='mentions', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS mentions_ai AFTER INSERT ON mentions BEGIN
  INSERT INTO mentions_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER IF NOT EXISTS mentions_ad AFTER DELETE ON mentions BEGIN
  INSERT INTO mentions_fts(mentions_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER IF NOT EXISTS mentions_au AFTER UPDATE OF text ON mentions BEGIN
  INSERT INTO mentions_fts(mentions_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
  INSERT INTO mentions_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TABLE IF NOT EXISTS classifications (
  mention_id TEXT PRIMARY KEY, model_version TEXT NOT NULL, doc TEXT NOT NULL, classified_at TEXT
);
CREATE TABLE IF NOT EXISTS checkpoints (
  collector TEXT NOT NULL, key TEXT NOT NULL, value TEXT, updated_at TEXT, PRIMARY KEY (collector, key)
);
CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT, reason TEXT, payload TEXT, at TEXT
);
CREATE TABLE IF NOT EXISTS incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, kind TEXT, severity TEXT, title TEXT,
  explanation TEXT, account TEXT, status TEXT, opened_at TEXT, updated_at TEXT, acknowledged_at TEXT,
  acknowledged_by TEXT, resolved_at TEXT, policy TEXT, step INTEGER DEFAULT -1, round INTEGER DEFAULT 0,
  next_step_at TEXT
);
-- At most one open incident per key: new evidence updates it instead of paging again.
CREATE UNIQUE INDEX IF NOT EXISTS incidents_open_key ON incidents(key) WHERE status != 'resolved';
CREATE TABLE IF NOT EXISTS incident_evidence (
  incident_id INTEGER NOT NULL, mention_id TEXT NOT NULL, PRIMARY KEY (incident_id, mention_id)
);
CREATE TABLE IF NOT EXISTS deliveries (
  incident_id INTEGER NOT NULL, round INTEGER NOT NULL, step INTEGER NOT NULL, member TEXT NOT NULL,
  channel TEXT NOT NULL, status TEXT NOT NULL, detail TEXT, at TEXT,
  PRIMARY KEY (incident_id, round, step, member, channel)
);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT, action TEXT NOT NULL,
  incident_id INTEGER, detail TEXT
);
CREATE TABLE IF NOT EXISTS detected (mention_id TEXT PRIMARY KEY, at TEXT);
CREATE TABLE IF NOT EXISTS used_links (nonce TEXT PRIMARY KEY, used_at TEXT);
CREATE TABLE IF NOT EXISTS forgotten (handle_hash TEXT PRIMARY KEY, at TEXT, removed INTEGER);
"""


def _incident(row: sqlite3.Row, evidence: list[str]) -> Incident:
    t = lambda k: parse_time(row[k]) if row[k] else None  # noqa: E731
    return Incident(
        id=row["id"], key=row["key"], kind=row["kind"], severity=row["severity"], title=row["title"],
        explanation=row["explanation"], account=row["account"] or "", evidence=evidence, status=row["status"],
        opened_at=t("opened_at"), updated_at=t("updated_at"), acknowledged_at=t("acknowledged_at"),
        acknowledged_by=row["acknowledged_by"] or "", resolved_at=t("resolved_at"), policy=row["policy"] or "",
        step=row["step"], next_step_at=t("next_step_at"))


class SQLiteStore(Store):
    """The embedded store: one SQLite file (``:memory:`` for tests)."""

    name = "sqlite"

    def __init__(self, path: str | Path = "escucha.db"):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        try:
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a usable escucha store: {exc}") from None

    # Each thread gets its own connection: sqlite3 connections are not shareable.
    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open the store {self.path}: {exc}") from exc
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def tx(self, immediate: bool = False):
        """A transaction; ``immediate`` takes the write lock at once (for claim-then-act steps)."""
        db = self.db
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")

    def close(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- mentions -------------------------------------------------------------
    def upsert_mentions(self, mentions: Iterable[Mention]) -> int:
        rows, links = [], []
        for m in mentions:
            rows.append((m.id, m.platform, m.native_id, m.text, m.author.handle, m.author.followers,
                         iso(m.created_at), iso(m.collected_at), m.lang, int(m.own), m.in_reply_to, m.to_json()))
            links.extend((m.id, a) for a in m.accounts)
        if not rows:
            return 0
        with self.tx() as db:
            before = db.execute("SELECT count(*) FROM mentions").fetchone()[0]
            # New rows are inserted; a re-collected post keeps its first collected_at but
            # takes fresher metrics and text (edits).
            db.executemany(
                """INSERT INTO mentions (id, platform, native_id, text, author_handle, author_followers,
                   created_at, collected_at, lang, own, in_reply_to, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO NOTHING""", rows)
            new = db.execute("SELECT count(*) FROM mentions").fetchone()[0] - before
            if new < len(rows):  # some were stored already: refresh their metrics and edits
                db.executemany(
                    """UPDATE mentions SET text=?4, author_followers=?6, doc=json_set(?12, '$.collected_at',
                       json_extract(doc, '$.collected_at')) WHERE id=?1 AND doc != json_set(?12, '$.collected_at',
                       json_extract(doc, '$.collected_at'))""", rows)
            db.executemany("INSERT OR IGNORE INTO mention_accounts VALUES (?,?)", links)
        return new

    def _mention(self, doc: str) -> Mention:
        return Mention.from_dict(json.loads(doc))

    def get_mention(self, mention_id):
        row = self.db.execute("SELECT doc FROM mentions WHERE id=?", (mention_id,)).fetchone()
        return self._mention(row["doc"]) if row else None

    def mentions(self, since=None, until=None, account=None):
        sql, args = "SELECT m.doc FROM mentions m", []
        where = []
        if account:
            sql += " JOIN mention_accounts a ON a.mention_id = m.id"
            where.append("a.account = ?")
            args.append(account)
        if since:
            where.append("m.created_at >= ?")
            args.append(iso(since))
        if until:
            where.append("m.created_at < ?")
            args.append(iso(until))
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY m.created_at, m.id"
        for row in self.db.execute(sql, args).fetchall():
            yield self._mention(row["doc"])

    def count_mentions(self) -> int:
        return self.db.execute("SELECT count(*) FROM mentions").fetchone()[0]

    def search(self, query, limit=50):
        # Quote every term: user input must never be read as FTS syntax.
        terms = [t for t in query.replace('"', " ").split() if t]
        if not terms:
            return []
        match = " ".join(f'"{t}"' for t in terms)
        rows = self.db.execute(
            """SELECT m.doc FROM mentions_fts f JOIN mentions m ON m.rowid = f.rowid
               WHERE mentions_fts MATCH ? ORDER BY m.created_at DESC LIMIT ?""", (match, limit)).fetchall()
        return [self._mention(r["doc"]) for r in rows]

    def delete_mentions(self, ids):
        ids = list(ids)
        with self.tx() as db:
            n = 0
            for mid in ids:
                n += db.execute("DELETE FROM mentions WHERE id=?", (mid,)).rowcount
                db.execute("DELETE FROM mention_accounts WHERE mention_id=?", (mid,))
                db.execute("DELETE FROM classifications WHERE mention_id=?", (mid,))
        return n

    def mentions_by_author(self, handle: str) -> list[str]:
        rows = self.db.execute("SELECT id FROM mentions WHERE lower(author_handle)=lower(?)",
                               (handle.lstrip("@"),)).fetchall()
        return [r["id"] for r in rows]

    def quarantine(self, source, reason, payload):
        with self.tx() as db:
            db.execute("INSERT INTO quarantine (source, reason, payload, at) VALUES (?,?,?,?)",
                       (source, reason, payload[:20_000], iso(utcnow())))

    def quarantined(self) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM quarantine ORDER BY id").fetchall()]

    # -- checkpoints ----------------------------------------------------------
    def get_checkpoint(self, collector, key):
        row = self.db.execute("SELECT value FROM checkpoints WHERE collector=? AND key=?",
                              (collector, key)).fetchone()
        return row["value"] if row else None

    def set_checkpoint(self, collector, key, value):
        with self.tx() as db:
            db.execute("""INSERT INTO checkpoints VALUES (?,?,?,?) ON CONFLICT(collector, key)
                          DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at""",
                       (collector, key, value, iso(utcnow())))

    # -- classifications ------------------------------------------------------
    def unclassified(self, model_version, limit=10_000):
        rows = self.db.execute(
            """SELECT m.doc FROM mentions m LEFT JOIN classifications c ON c.mention_id = m.id
               WHERE c.mention_id IS NULL OR c.model_version != ? ORDER BY m.created_at LIMIT ?""",
            (model_version, limit)).fetchall()
        return [self._mention(r["doc"]) for r in rows]

    def save_classifications(self, items):
        rows = [(c.mention_id, c.model_version, json.dumps(c.to_dict(), ensure_ascii=False), iso(utcnow()))
                for c in items]
        with self.tx() as db:
            db.executemany("""INSERT INTO classifications VALUES (?,?,?,?) ON CONFLICT(mention_id) DO UPDATE
                              SET model_version=excluded.model_version, doc=excluded.doc,
                              classified_at=excluded.classified_at""", rows)
        return len(rows)

    def forget_classifications(self, ids: Iterable[str]) -> None:
        with self.tx() as db:
            db.executemany("DELETE FROM classifications WHERE mention_id=?", [(i,) for i in ids])

    def classification(self, mention_id):
        row = self.db.execute("SELECT doc FROM classifications WHERE mention_id=?", (mention_id,)).fetchone()
        return Classification.from_dict(json.loads(row["doc"])) if row else None

    def classified(self, since=None, until=None) -> list[tuple[Mention, Classification]]:
        sql = """SELECT m.doc AS m, c.doc AS c FROM mentions m JOIN classifications c ON c.mention_id = m.id"""
        where, args = [], []
        if since:
            where.append("m.created_at >= ?")
            args.append(iso(since))
        if until:
            where.append("m.created_at < ?")
            args.append(iso(until))
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY m.created_at, m.id"
        return [(self._mention(r["m"]), Classification.from_dict(json.loads(r["c"])))
                for r in self.db.execute(sql, args).fetchall()]

    def undetected_ids(self) -> set[str]:
        """Classified mentions that no detection pass has looked at yet."""
        rows = self.db.execute("""SELECT c.mention_id FROM classifications c LEFT JOIN detected d
                                  ON d.mention_id = c.mention_id WHERE d.mention_id IS NULL""").fetchall()
        return {r[0] for r in rows}

    def mark_detected(self, ids: Iterable[str], now: datetime) -> None:
        with self.tx() as db:
            db.executemany("INSERT OR IGNORE INTO detected VALUES (?,?)", [(i, iso(now)) for i in ids])

    # -- incidents ------------------------------------------------------------
    def _evidence(self, incident_id) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT mention_id FROM incident_evidence WHERE incident_id=? ORDER BY rowid", (incident_id,))]

    def open_incident(self, inc: Incident, now: datetime) -> tuple[Incident, bool]:
        """Open ``inc``, or add its evidence to the open incident with the same key.

        Returns (incident, created). Severity only ever rises.
        """
        with self.tx(immediate=True) as db:
            row = db.execute("SELECT * FROM incidents WHERE key=? AND status != 'resolved'", (inc.key,)).fetchone()
            created = row is None
            if created:
                cur = db.execute(
                    """INSERT INTO incidents (key, kind, severity, title, explanation, account, status, opened_at,
                       updated_at, policy, step, round, next_step_at) VALUES (?,?,?,?,?,?,'open',?,?,?,-1,0,?)""",
                    (inc.key, inc.kind, inc.severity, inc.title, inc.explanation, inc.account, iso(now), iso(now),
                     inc.policy, iso(now)))
                incident_id = cur.lastrowid
                self.audit("incident.opened", {"key": inc.key, "severity": inc.severity, "title": inc.title},
                           incident_id, at=now)
            else:
                incident_id = row["id"]
                order = ("critical", "high", "medium", "low")
                sev = min(row["severity"], inc.severity, key=order.index)
                db.execute("UPDATE incidents SET severity=?, explanation=?, title=?, updated_at=? WHERE id=?",
                           (sev, inc.explanation, inc.title, iso(now), incident_id))
            added = 0
            for mid in inc.evidence:
                added += db.execute("INSERT OR IGNORE INTO incident_evidence VALUES (?,?)",
                                    (incident_id, mid)).rowcount
            if added and not created:
                self.audit("incident.updated", {"new_evidence": added}, incident_id, at=now)
        return self.incident(incident_id), created

    def incident(self, incident_id: int) -> Incident | None:
        row = self.db.execute("SELECT * FROM incidents WHERE id=?", (incident_id,)).fetchone()
        return _incident(row, self._evidence(row["id"])) if row else None

    def incidents(self, status: str | None = None) -> list[Incident]:
        sql = "SELECT * FROM incidents"
        args: tuple = ()
        if status:
            sql += " WHERE status=?"
            args = (status,)
        rows = self.db.execute(sql + " ORDER BY id", args).fetchall()
        return [_incident(r, self._evidence(r["id"])) for r in rows]

    def incident_round(self, incident_id: int) -> int:
        return self.db.execute("SELECT round FROM incidents WHERE id=?", (incident_id,)).fetchone()[0]

    def advance_incident(self, incident_id: int, expect_step: int, expect_round: int, step: int, rnd: int,
                         next_step_at: datetime | None) -> bool:
        """Move an incident to the next escalation step, only if nobody did it first."""
        with self.tx(immediate=True) as db:
            cur = db.execute(
                """UPDATE incidents SET step=?, round=?, next_step_at=? WHERE id=? AND step=? AND round=?
                   AND status='open'""",
                (step, rnd, iso(next_step_at) if next_step_at else None, incident_id, expect_step, expect_round))
            return cur.rowcount == 1

    def set_status(self, incident_id: int, status: str, by: str, now: datetime) -> bool:
        col = {"acknowledged": "acknowledged", "resolved": "resolved"}[status]
        with self.tx(immediate=True) as db:
            allowed = ("open",) if status == "acknowledged" else ("open", "acknowledged")
            row = db.execute("SELECT status FROM incidents WHERE id=?", (incident_id,)).fetchone()
            if not row or row["status"] not in allowed:
                return False
            if status == "acknowledged":
                db.execute("UPDATE incidents SET status=?, acknowledged_at=?, acknowledged_by=? WHERE id=?",
                           (status, iso(now), by, incident_id))
            else:
                db.execute(f"UPDATE incidents SET status=?, {col}_at=? WHERE id=?", (status, iso(now), incident_id))
            self.audit(f"incident.{status}", {"by": by}, incident_id, actor=by, at=now)
        return True

    # -- deliveries -----------------------------------------------------------
    def claim_delivery(self, d: Delivery) -> bool:
        """Record a delivery attempt before sending; False if that exact send was already claimed."""
        with self.tx(immediate=True) as db:
            cur = db.execute("INSERT OR IGNORE INTO deliveries VALUES (?,?,?,?,?,?,?,?)",
                             (d.incident_id, d.round, d.step, d.member, d.channel, "sending", d.detail, iso(d.at)))
            return cur.rowcount == 1

    def finish_delivery(self, d: Delivery) -> None:
        with self.tx() as db:
            db.execute("""UPDATE deliveries SET status=?, detail=?, at=? WHERE incident_id=? AND round=? AND step=?
                          AND member=? AND channel=?""",
                       (d.status, d.detail, iso(d.at), d.incident_id, d.round, d.step, d.member, d.channel))
            self.audit("delivery." + d.status, {"member": d.member, "channel": d.channel, "step": d.step,
                                                "round": d.round, "detail": d.detail}, d.incident_id, at=d.at)

    def deliveries(self, incident_id: int | None = None) -> list[Delivery]:
        sql, args = "SELECT * FROM deliveries", ()
        if incident_id is not None:
            sql, args = sql + " WHERE incident_id=?", (incident_id,)
        rows = self.db.execute(sql + " ORDER BY at, rowid", args).fetchall()
        return [Delivery(r["incident_id"], r["step"], r["member"], r["channel"], r["status"], r["detail"] or "",
                         parse_time(r["at"]) if r["at"] else None, r["round"]) for r in rows]

    # -- links, audit, privacy -----------------------------------------------
    def use_link(self, nonce: str, now: datetime) -> bool:
        with self.tx(immediate=True) as db:
            return db.execute("INSERT OR IGNORE INTO used_links VALUES (?,?)", (nonce, iso(now))).rowcount == 1

    def audit(self, action, detail, incident_id=None, actor="escucha", at=None):
        with self.tx() as db:
            db.execute("INSERT INTO audit (at, actor, action, incident_id, detail) VALUES (?,?,?,?,?)",
                       (iso(at or utcnow()), actor, action, incident_id, json.dumps(detail, ensure_ascii=False)))

    def audit_log(self, incident_id: int | None = None) -> list[dict]:
        sql, args = "SELECT * FROM audit", ()
        if incident_id is not None:
            sql, args = sql + " WHERE incident_id=?", (incident_id,)
        return [dict(r, detail=json.loads(r["detail"] or "{}"))
                for r in self.db.execute(sql + " ORDER BY id", args).fetchall()]

    def record_forgotten(self, handle_hash: str, removed: int, now: datetime) -> None:
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO forgotten VALUES (?,?,?)", (handle_hash, iso(now), removed))
