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

import orjson

from escucha.errors import StoreError
from escucha.records import Classification, Mention, iso, utcnow, whole_text
from escucha.shards import shard_of


class Store(ABC):
    """Everything the pipeline, alerting and the web service ask of a store: mentions,
    classifications, checkpoints and the quarantine here; incidents, deliveries, signed-link
    use and the audit log below (:class:`StateBacked` keeps them in SQL for every store).
    Implementations: ``sqlite`` (default, this module), ``opensearch`` and ``elasticsearch``
    (stores/search.py); ``[store] backend`` picks one (the ``escucha.stores`` entry points).
    The contract suite (tests/test_store.py) runs on each."""

    # Declared, not sniffed: the mentions live in the search index the dashboards read, so
    # the index step has nothing to push (escucha.pipeline.index_mentions).
    is_index: bool = False

    @classmethod
    @abstractmethod
    def from_config(cls, config) -> "Store":
        """The store ``config`` describes, opened (no server is contacted before first use)."""

    @abstractmethod
    def close(self) -> None: ...

    # -- incidents and escalation (StateBacked) ---------------------------------------
    @abstractmethod
    def open_incident(self, inc, now: datetime):
        """(incident, created): a new one, or the open one with the same key, given the new evidence."""

    @abstractmethod
    def incident(self, incident_id: int): ...

    @abstractmethod
    def incidents(self, status: str | None = None) -> list: ...

    @abstractmethod
    def incident_round(self, incident_id: int) -> int: ...

    @abstractmethod
    def advance_incident(self, incident_id, expect_step, expect_round, step, rnd, next_step_at) -> bool:
        """Move the escalation on, only if nobody moved it since ``expect_step``/``expect_round``."""

    @abstractmethod
    def set_status(self, incident_id: int, status: str, by: str, now: datetime) -> bool: ...

    @abstractmethod
    def claim_delivery(self, d) -> bool:
        """Claim one send before it is made: False when another process already did."""

    @abstractmethod
    def retry_delivery(self, prev, now: datetime, reason: str) -> bool: ...

    @abstractmethod
    def finish_delivery(self, d) -> None: ...

    @abstractmethod
    def deliveries(self, incident_id: int | None = None) -> list: ...

    @abstractmethod
    def use_link(self, nonce: str, now: datetime) -> bool:
        """Spend a signed link's nonce: False when it was used before."""

    @abstractmethod
    def audit(self, action: str, detail: dict, incident_id: int | None = None, actor: str = "escucha",
              at: datetime | None = None) -> None: ...

    @abstractmethod
    def audit_log(self, incident_id: int | None = None) -> list[dict]: ...

    # -- mentions, classifications, checkpoints --------------------------------------

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
    def unclassified(self, model_version: str, limit: int = 10_000, shard: tuple[int, int] | None = None
                     ) -> list[Mention]:
        """Mentions this model version has not scored, oldest first; with ``shard`` (index,
        count), only that share of them (:func:`escucha.shards.shard_of`)."""

    @abstractmethod
    def save_classifications(self, items: Iterable[Classification]) -> int: ...

    @abstractmethod
    def classification(self, mention_id: str) -> Classification | None: ...

    @abstractmethod
    def count_mentions(self) -> int: ...

    @abstractmethod
    def mentions_by_author(self, handle: str) -> list[str]:
        """Ids of the mentions a handle wrote (any case, with or without the @)."""

    @abstractmethod
    def quarantined(self) -> list[dict]:
        """What was set aside, oldest first: dicts with source, reason, payload, at."""

    @abstractmethod
    def forget_classifications(self, ids: Iterable[str]) -> None: ...

    @abstractmethod
    def classified(self, since: datetime | None = None, until: datetime | None = None
                   ) -> list[tuple[Mention, Classification]]: ...

    @abstractmethod
    def undetected_ids(self) -> set[str]:
        """Classified mentions that no detection pass has looked at yet."""

    @abstractmethod
    def mark_detected(self, ids: Iterable[str], now: datetime) -> None: ...

    @abstractmethod
    def record_forgotten(self, handle_hash: str, removed: int, now: datetime) -> None: ...

    @abstractmethod
    def checkpoints(self) -> list[tuple[str, str, str]]:
        """Every (collector, key, value): what copying a store carries over."""

    @abstractmethod
    def detected_ids(self) -> set[str]:
        """Mentions a detection pass has looked at."""

    def iter_classified(self, since: datetime | None = None, until: datetime | None = None,
                        batch: int = 2000) -> Iterator[list[tuple[Mention, Classification]]]:
        """:meth:`classified` in batches of at most ``batch``, oldest first: what exports read,
        so that a year of mentions never sits in memory at once. The default reads them all;
        a store overrides it with a cursor."""
        items = self.classified(since, until)
        for i in range(0, len(items), batch):
            yield items[i : i + batch]

    # What forgetting a person also reaches (escucha.pipeline.forget_author). Defaults that
    # read everything; a store overrides them with a query.
    def mentions_naming(self, handle: str, ids: set[str]) -> list[Mention]:
        """Other people's mentions that name ``handle`` or answer, repost or quote one of ``ids``."""
        needle = handle.lower()
        return [m for m in self.mentions() if m.id not in ids
                and (needle in m.text.lower() or {m.in_reply_to, m.repost_of, m.quote_of} & ids)]

    def forget_quarantined(self, needles: list[str]) -> int:
        """Delete what was set aside that holds any of ``needles`` (any case)."""
        return 0

    def compact(self) -> None:
        """Make deleted data unrecoverable from the store's files (where it keeps files)."""


class StateBacked:
    """Incidents, deliveries, signed-link use and the audit log live in ``self.state``
    (escucha.state.SQLState: SQLite or PostgreSQL), whatever holds the mentions."""

    state = None

    def open_incident(self, inc, now):
        return self.state.open_incident(inc, now)

    def incident(self, incident_id):
        return self.state.incident(incident_id)

    def incidents(self, status=None):
        return self.state.incidents(status)

    def incident_round(self, incident_id):
        return self.state.incident_round(incident_id)

    def advance_incident(self, incident_id, expect_step, expect_round, step, rnd, next_step_at):
        return self.state.advance_incident(incident_id, expect_step, expect_round, step, rnd, next_step_at)

    def set_status(self, incident_id, status, by, now):
        return self.state.set_status(incident_id, status, by, now)

    def claim_delivery(self, d):
        return self.state.claim_delivery(d)

    def retry_delivery(self, prev, now, reason):
        return self.state.retry_delivery(prev, now, reason)

    def finish_delivery(self, d):
        return self.state.finish_delivery(d)

    def deliveries(self, incident_id=None):
        return self.state.deliveries(incident_id)

    def use_link(self, nonce, now):
        return self.state.use_link(nonce, now)

    def audit(self, action, detail, incident_id=None, actor="escucha", at=None):
        self.state.audit(action, detail, incident_id, actor, at)

    def redact_incidents(self, ids: set[str], blank) -> int:
        return self.state.redact(ids, blank)

    def audit_log(self, incident_id=None):
        return self.state.audit_log(incident_id)


SCHEMA = """
CREATE TABLE IF NOT EXISTS mentions (
  id TEXT PRIMARY KEY, platform TEXT NOT NULL, native_id TEXT NOT NULL, text TEXT NOT NULL,
  author_handle TEXT, author_followers INTEGER, created_at TEXT NOT NULL, collected_at TEXT,
  lang TEXT, own INTEGER DEFAULT 0, in_reply_to TEXT, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_created ON mentions(created_at);
DROP INDEX IF EXISTS mentions_reply;
DROP INDEX IF EXISTS mentions_author;
CREATE INDEX IF NOT EXISTS mentions_author_nocase ON mentions(author_handle COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS mention_accounts (
  mention_id TEXT NOT NULL, account TEXT NOT NULL, PRIMARY KEY (mention_id, account)
);
CREATE VIRTUAL TABLE IF NOT EXISTS mentions_fts USING fts5(
  text, content='mentions', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
-- New rows reach the full-text index in one statement per batch (upsert_mentions): a
-- per-row trigger cost five times as much.
DROP TRIGGER IF EXISTS mentions_ai;
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
CREATE TABLE IF NOT EXISTS indexed (
  backend TEXT NOT NULL, mention_id TEXT NOT NULL, digest TEXT, at TEXT, PRIMARY KEY (backend, mention_id)
);
CREATE TABLE IF NOT EXISTS tombstones (mention_id TEXT PRIMARY KEY, created_at TEXT, at TEXT);
-- A mention that changes (an edit, fresher metrics, a person's handle blanked by forget)
-- is sent to the search index again.
CREATE TRIGGER IF NOT EXISTS mentions_doc_changed AFTER UPDATE OF doc ON mentions BEGIN
  DELETE FROM indexed WHERE mention_id = new.id;
END;
CREATE TABLE IF NOT EXISTS detected (mention_id TEXT PRIMARY KEY, at TEXT);
CREATE TABLE IF NOT EXISTS forgotten (handle_hash TEXT PRIMARY KEY, at TEXT, removed INTEGER);
"""


class SQLiteStore(StateBacked, Store):
    """The embedded store: one SQLite file (``:memory:`` for tests)."""

    name = "sqlite"

    def __init__(self, path: str | Path = "escucha.db", state_url: str | None = None):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        try:
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a usable escucha store: {exc}") from None
        from escucha.state import SQLState

        # Incidents and the escalation state: the same file by default, PostgreSQL in production.
        self.state = SQLState(state_url or f"sqlite:///{Path(self.path).resolve()}")

    @classmethod
    def from_config(cls, config) -> "SQLiteStore":
        return cls(config.store_path, state_url=config.state_url or None)

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
            conn.create_function("escucha_shard", 2, shard_of, deterministic=True)
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
            d = m.to_dict()  # once: its dates and its JSON serve the columns and the document
            rows.append((d["id"], m.platform, m.native_id, m.text, m.author.handle, m.author.followers,
                         d["created_at"], d["collected_at"], m.lang, int(m.own), m.in_reply_to,
                         orjson.dumps(d, option=orjson.OPT_SORT_KEYS).decode()))
            links.extend((m.id, a) for a in m.accounts)
        if not rows:
            return 0
        with self.tx(immediate=True) as db:
            # New rows get rowids above today's largest (SQLite allocates max+1), so the
            # batch's new rows are the ones above it.
            top = db.execute("SELECT coalesce(max(rowid), 0) FROM mentions").fetchone()[0]
            # New rows are inserted; a re-collected post keeps its first collected_at but
            # takes fresher metrics and text (edits).
            new = db.executemany(
                """INSERT INTO mentions (id, platform, native_id, text, author_handle, author_followers,
                   created_at, collected_at, lang, own, in_reply_to, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO NOTHING""", rows).rowcount
            if new < len(rows):  # some were stored already: refresh their metrics and edits
                db.executemany(
                    """UPDATE mentions SET text=?4, author_followers=?6, doc=json_set(?12, '$.collected_at',
                       json_extract(doc, '$.collected_at')) WHERE id=?1 AND doc != json_set(?12, '$.collected_at',
                       json_extract(doc, '$.collected_at'))""", rows)
            if new:
                db.execute("INSERT INTO mentions_fts(rowid, text) SELECT rowid, text FROM mentions WHERE rowid > ?",
                           (top,))
            db.executemany("INSERT OR IGNORE INTO mention_accounts VALUES (?,?)", links)
        return new

    def _mention(self, doc: str) -> Mention:
        return Mention.from_dict(orjson.loads(doc))

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
        """Delete mentions everywhere here, and leave a tombstone so the search index deletes them too."""
        ids = list(ids)
        with self.tx() as db:
            n = 0
            for mid in ids:
                row = db.execute("SELECT created_at FROM mentions WHERE id=?", (mid,)).fetchone()
                if row is None:
                    continue
                db.execute("INSERT OR REPLACE INTO tombstones VALUES (?,?,?)", (mid, row["created_at"], iso(utcnow())))
                db.execute("DELETE FROM indexed WHERE mention_id=?", (mid,))
                n += db.execute("DELETE FROM mentions WHERE id=?", (mid,)).rowcount
                db.execute("DELETE FROM mention_accounts WHERE mention_id=?", (mid,))
                db.execute("DELETE FROM classifications WHERE mention_id=?", (mid,))
        return n

    def mentions_naming(self, handle, ids):
        needle = "%" + handle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        refs = list(ids)
        marks = ",".join("?" * len(refs)) or "NULL"
        rows = self.db.execute(
            f"""SELECT doc FROM mentions WHERE lower(text) LIKE ? ESCAPE '\\'
                OR in_reply_to IN ({marks}) OR json_extract(doc, '$.repost_of') IN ({marks})
                OR json_extract(doc, '$.quote_of') IN ({marks})""", [needle, *refs, *refs, *refs]).fetchall()
        return [m for m in (self._mention(r["doc"]) for r in rows) if m.id not in ids]

    def forget_quarantined(self, needles):
        with self.tx() as db:
            return sum(db.execute("DELETE FROM quarantine WHERE instr(lower(payload), ?) > 0 OR "
                                  "instr(lower(reason), ?) > 0", (n.lower(), n.lower())).rowcount for n in needles if n)

    def compact(self):
        """Rebuild the full-text index (its shadow tables keep deleted words), rewrite the
        file without free pages (VACUUM) and empty the write-ahead log into it."""
        db = self.db
        db.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')")
        self.state.engine.dispose()  # its pooled connections would hold the log open
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def mentions_by_author(self, handle: str) -> list[str]:
        rows = self.db.execute("SELECT id FROM mentions WHERE author_handle = ? COLLATE NOCASE",
                               (handle.lstrip("@"),)).fetchall()
        return [r["id"] for r in rows]

    def quarantine(self, source, reason, payload):
        with self.tx() as db:
            db.execute("INSERT INTO quarantine (source, reason, payload, at) VALUES (?,?,?,?)",
                       # What is set aside is often what no record could hold: half an emoji included.
                       (source, whole_text(reason), whole_text(payload[:20_000]), iso(utcnow())))

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
    def unclassified(self, model_version, limit=10_000, shard=None):
        where, args = "", [model_version]
        if shard:
            where, args = " AND escucha_shard(m.id, ?) = ?", [model_version, shard[1], shard[0]]
        rows = self.db.execute(
            f"""SELECT m.doc FROM mentions m LEFT JOIN classifications c ON c.mention_id = m.id
               WHERE (c.mention_id IS NULL OR c.model_version != ?){where} ORDER BY m.created_at LIMIT ?""",
            (*args, limit)).fetchall()
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
        return Classification.from_dict(orjson.loads(row["doc"])) if row else None

    def _classified_sql(self, since, until) -> tuple[str, list]:
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
        return sql, args

    def classified(self, since=None, until=None) -> list[tuple[Mention, Classification]]:
        sql, args = self._classified_sql(since, until)
        return [(self._mention(r["m"]), Classification.from_dict(orjson.loads(r["c"])))
                for r in self.db.execute(sql, args).fetchall()]

    def iter_classified(self, since=None, until=None, batch=2000):
        sql, args = self._classified_sql(since, until)
        # A cursor of its own: the rows arrive a batch at a time, never all at once.
        cur = self.db.execute(sql, args)
        try:
            while rows := cur.fetchmany(batch):
                yield [(self._mention(r["m"]), Classification.from_dict(orjson.loads(r["c"]))) for r in rows]
        finally:
            cur.close()

    # -- search-engine indexing: what each backend has, by content digest ----
    def index_pending(self, backend: str, limit: int) -> list[tuple[Mention, Classification | None, str | None]]:
        """Mentions the backend has not seen, or whose scores changed since (oldest first), with the
        digest of the version it has, if any."""
        rows = self.db.execute(
            """SELECT m.doc AS m, c.doc AS c, i.digest AS digest FROM mentions m
               LEFT JOIN classifications c ON c.mention_id = m.id
               LEFT JOIN indexed i ON i.backend = ? AND i.mention_id = m.id
               WHERE i.mention_id IS NULL OR i.at < COALESCE(c.classified_at, m.collected_at)
               ORDER BY m.created_at LIMIT ?""", (backend, limit)).fetchall()
        return [(self._mention(r["m"]), Classification.from_dict(orjson.loads(r["c"])) if r["c"] else None,
                 r["digest"]) for r in rows]

    def tombstones(self) -> list[tuple[str, str]]:
        """(mention id, created_at) of deleted mentions the search index may still hold."""
        return [(r[0], r[1]) for r in self.db.execute("SELECT mention_id, created_at FROM tombstones").fetchall()]

    def clear_tombstones(self, ids) -> None:
        with self.tx() as db:
            db.executemany("DELETE FROM tombstones WHERE mention_id=?", [(i,) for i in ids])

    def mark_indexed(self, backend: str, items) -> None:
        now = iso(utcnow())
        with self.tx() as db:
            db.executemany("""INSERT INTO indexed VALUES (?,?,?,?) ON CONFLICT(backend, mention_id)
                              DO UPDATE SET digest=excluded.digest, at=excluded.at""",
                           [(backend, mid, digest, now) for mid, digest in items])

    def undetected_ids(self) -> set[str]:
        """Classified mentions that no detection pass has looked at yet."""
        rows = self.db.execute("""SELECT c.mention_id FROM classifications c LEFT JOIN detected d
                                  ON d.mention_id = c.mention_id WHERE d.mention_id IS NULL""").fetchall()
        return {r[0] for r in rows}

    def detected_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT mention_id FROM detected").fetchall()}

    def checkpoints(self):
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT collector, key, value FROM checkpoints ORDER BY collector, key").fetchall()]

    def mark_detected(self, ids: Iterable[str], now: datetime) -> None:
        with self.tx() as db:
            db.executemany("INSERT OR IGNORE INTO detected VALUES (?,?)", [(i, iso(now)) for i in ids])

    def record_forgotten(self, handle_hash: str, removed: int, now: datetime) -> None:
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO forgotten VALUES (?,?,?)", (handle_hash, iso(now), removed))
