"""The escalation state (incidents, evidence, deliveries, audit log, used links) in a
relational database through SQLAlchemy: the embedded SQLite file by default,
PostgreSQL in production (``[store] state_url_env``).

Every claim is one atomic statement that both databases run the same way, so two
escalation ticks at once, or a tick that crashed half-way, never page twice:
``INSERT ... ON CONFLICT DO NOTHING`` for deliveries and links, a compare-and-set
``UPDATE ... WHERE step = :expected`` for escalation steps, and a partial unique
index that allows one open incident per grouping key.
"""
from __future__ import annotations

import json
import time
from datetime import datetime

from sqlalchemy import (BigInteger, Column, Index, Integer, MetaData, String, Table, Text, create_engine, event, select,
                        text)

from escucha.errors import StoreError
from escucha.records import SEVERITY_ORDER, Delivery, Incident, iso, parse_time, utcnow

meta = MetaData()
incidents = Table(
    "incidents", meta,
    Column("id", Integer, primary_key=True, autoincrement=True), Column("key", Text, nullable=False),
    Column("kind", String(32)), Column("severity", String(16)), Column("title", Text), Column("explanation", Text),
    Column("account", Text), Column("status", String(16)), Column("opened_at", String(40)),
    Column("updated_at", String(40)), Column("acknowledged_at", String(40)), Column("acknowledged_by", Text),
    Column("resolved_at", String(40)), Column("policy", Text), Column("step", Integer, default=-1),
    Column("round", Integer, default=0), Column("next_step_at", String(40)))
Index("incidents_open_key", incidents.c.key, unique=True, sqlite_where=incidents.c.status != "resolved",
      postgresql_where=incidents.c.status != "resolved")
evidence = Table("incident_evidence", meta, Column("incident_id", Integer, primary_key=True),
                 Column("mention_id", Text, primary_key=True), Column("pos", Integer))
deliveries = Table(
    "deliveries", meta, Column("incident_id", Integer, primary_key=True), Column("round", Integer, primary_key=True),
    Column("step", Integer, primary_key=True), Column("member", String(128), primary_key=True),
    Column("channel", String(512), primary_key=True), Column("status", String(16), nullable=False),
    Column("detail", Text), Column("at", String(40)), Column("seq", BigInteger), Column("attempts", Integer))
audit = Table("audit", meta, Column("id", Integer, primary_key=True, autoincrement=True),
              Column("at", String(40), nullable=False), Column("actor", Text), Column("action", String(64), nullable=False),
              Column("incident_id", Integer), Column("detail", Text))
used_links = Table("used_links", meta, Column("nonce", String(64), primary_key=True), Column("used_at", String(40)))


def _incident(row, ev: list[str]) -> Incident:
    t = lambda k: parse_time(row[k]) if row[k] else None  # noqa: E731
    return Incident(id=row["id"], key=row["key"], kind=row["kind"], severity=row["severity"], title=row["title"],
                    explanation=row["explanation"], account=row["account"] or "", evidence=ev, status=row["status"],
                    opened_at=t("opened_at"), updated_at=t("updated_at"), acknowledged_at=t("acknowledged_at"),
                    acknowledged_by=row["acknowledged_by"] or "", resolved_at=t("resolved_at"),
                    policy=row["policy"] or "", step=row["step"], next_step_at=t("next_step_at"))


class SQLState:
    """Incident and escalation state behind SQLAlchemy. ``url`` like ``sqlite:///escucha.db``
    or ``postgresql+psycopg://user:pass@host/db``."""

    def __init__(self, url: str):
        self.url = url
        kw = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {"pool_pre_ping": True}
        try:
            self.engine = create_engine(url, **kw)
            if url.startswith("sqlite"):
                @event.listens_for(self.engine, "connect")
                def _wal(conn, _):  # same journal as the mention store: readers never block writers
                    conn.execute("PRAGMA journal_mode=WAL")
            meta.create_all(self.engine)
            self._migrate()
        except Exception as exc:  # the URL holds a password: name the driver and the error class only
            raise StoreError(f"cannot open the escalation state ({url.split(':', 1)[0]}): "
                             f"{type(exc).__name__}") from None

    def _migrate(self) -> None:
        """Columns added since a database was created (create_all makes only missing tables)."""
        from sqlalchemy import inspect

        have = {c["name"] for c in inspect(self.engine).get_columns("deliveries")}
        if "attempts" not in have:
            with self.engine.begin() as conn:
                conn.execute(text("ALTER TABLE deliveries ADD COLUMN attempts INTEGER"))

    def _evidence(self, conn, incident_id) -> list[str]:
        rows = conn.execute(select(evidence.c.mention_id).where(evidence.c.incident_id == incident_id)
                            .order_by(evidence.c.pos, evidence.c.mention_id))
        return [r[0] for r in rows]

    def _audit(self, conn, action, detail, incident_id=None, actor="escucha", at=None):
        conn.execute(audit.insert().values(at=iso(at or utcnow()), actor=actor, action=action, incident_id=incident_id,
                                           detail=json.dumps(detail, ensure_ascii=False)))

    def audit(self, action, detail, incident_id=None, actor="escucha", at=None):
        with self.engine.begin() as conn:
            self._audit(conn, action, detail, incident_id, actor, at)

    def open_incident(self, inc: Incident, now: datetime) -> tuple[Incident, bool]:
        with self.engine.begin() as conn:
            res = conn.execute(text(
                "INSERT INTO incidents (key, kind, severity, title, explanation, account, status, opened_at, "
                "updated_at, policy, step, round, next_step_at) VALUES (:key, :kind, :sev, :title, :expl, :acc, "
                "'open', :now, :now, :policy, -1, 0, :now) ON CONFLICT (key) WHERE status != 'resolved' DO NOTHING"),
                {"key": inc.key, "kind": inc.kind, "sev": inc.severity, "title": inc.title, "expl": inc.explanation,
                 "acc": inc.account, "now": iso(now), "policy": inc.policy})
            created = res.rowcount == 1
            row = conn.execute(select(incidents).where(incidents.c.key == inc.key, incidents.c.status != "resolved")
                               ).mappings().one()
            if created:
                self._audit(conn, "incident.opened", {"key": inc.key, "severity": inc.severity, "title": inc.title},
                            row["id"], at=now)
            else:
                sev = min(row["severity"], inc.severity, key=SEVERITY_ORDER.index)
                conn.execute(incidents.update().where(incidents.c.id == row["id"]).values(
                    severity=sev, explanation=inc.explanation, updated_at=iso(now)))
            have = set(self._evidence(conn, row["id"]))
            pos = len(have)
            added = 0
            for mid in inc.evidence:
                if mid not in have:
                    conn.execute(text("INSERT INTO incident_evidence (incident_id, mention_id, pos) VALUES "
                                      "(:i, :m, :p) ON CONFLICT DO NOTHING"), {"i": row["id"], "m": mid, "p": pos})
                    have.add(mid)
                    pos += 1
                    added += 1
            if added and not created:
                self._audit(conn, "incident.updated", {"new_evidence": added}, row["id"], at=now)
        return self.incident(row["id"]), created

    def incident(self, incident_id: int) -> Incident | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).mappings().first()
            return _incident(row, self._evidence(conn, incident_id)) if row else None

    def incidents(self, status: str | None = None) -> list[Incident]:
        q = select(incidents).order_by(incidents.c.id)
        if status:
            q = q.where(incidents.c.status == status)
        with self.engine.connect() as conn:
            return [_incident(r, self._evidence(conn, r["id"])) for r in conn.execute(q).mappings()]

    def incident_round(self, incident_id: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(incidents.c.round).where(incidents.c.id == incident_id)).scalar_one()

    def advance_incident(self, incident_id, expect_step, expect_round, step, rnd, next_step_at) -> bool:
        with self.engine.begin() as conn:
            res = conn.execute(incidents.update().where(
                incidents.c.id == incident_id, incidents.c.step == expect_step, incidents.c.round == expect_round,
                incidents.c.status == "open").values(step=step, round=rnd, next_step_at=iso(next_step_at)))
            return res.rowcount == 1

    def set_status(self, incident_id: int, status: str, by: str, now: datetime) -> bool:
        allowed = ("open",) if status == "acknowledged" else ("open", "acknowledged")
        values = {"status": status}
        if status == "acknowledged":
            values.update(acknowledged_at=iso(now), acknowledged_by=by)
        else:
            values["resolved_at"] = iso(now)
        with self.engine.begin() as conn:
            res = conn.execute(incidents.update().where(incidents.c.id == incident_id,
                                                        incidents.c.status.in_(allowed)).values(**values))
            if res.rowcount != 1:
                return False
            self._audit(conn, f"incident.{status}", {"by": by}, incident_id, actor=by, at=now)
        return True

    def claim_delivery(self, d: Delivery) -> bool:
        with self.engine.begin() as conn:
            res = conn.execute(text(
                "INSERT INTO deliveries (incident_id, round, step, member, channel, status, detail, at, seq, attempts) "
                "VALUES (:i, :r, :s, :m, :c, 'sending', :d, :at, :seq, 1) ON CONFLICT DO NOTHING"),
                {"i": d.incident_id, "r": d.round, "s": d.step, "m": d.member, "c": d.channel, "d": d.detail,
                 "at": iso(d.at), "seq": time.time_ns()})
            return res.rowcount == 1

    def retry_delivery(self, prev: Delivery, now: datetime, reason: str) -> bool:
        """Claim ``prev`` (failed, or left "sending" by a crash) for one more send: a
        compare-and-set on its status and time, so two ticks never retry it both. The
        audit log says why."""
        key = (deliveries.c.incident_id == prev.incident_id, deliveries.c.round == prev.round,
               deliveries.c.step == prev.step, deliveries.c.member == prev.member, deliveries.c.channel == prev.channel)
        with self.engine.begin() as conn:
            res = conn.execute(deliveries.update().where(
                *key, deliveries.c.status == prev.status, deliveries.c.at == iso(prev.at)).values(
                status="sending", at=iso(now), attempts=prev.attempts + 1, seq=time.time_ns()))
            if res.rowcount != 1:
                return False
            self._audit(conn, "delivery.retry", {"member": prev.member, "channel": prev.channel, "step": prev.step,
                                                 "round": prev.round, "attempt": prev.attempts + 1, "reason": reason},
                        prev.incident_id, at=now)
        return True

    def finish_delivery(self, d: Delivery) -> None:
        with self.engine.begin() as conn:
            conn.execute(deliveries.update().where(
                deliveries.c.incident_id == d.incident_id, deliveries.c.round == d.round, deliveries.c.step == d.step,
                deliveries.c.member == d.member, deliveries.c.channel == d.channel).values(
                status=d.status, detail=d.detail, at=iso(d.at)))
            self._audit(conn, "delivery." + d.status, {"member": d.member, "channel": d.channel, "step": d.step,
                                                       "round": d.round, "detail": d.detail}, d.incident_id, at=d.at)

    def deliveries(self, incident_id: int | None = None) -> list[Delivery]:
        q = select(deliveries).order_by(deliveries.c.at, deliveries.c.seq)
        if incident_id is not None:
            q = q.where(deliveries.c.incident_id == incident_id)
        with self.engine.connect() as conn:
            return [Delivery(r["incident_id"], r["step"], r["member"], r["channel"], r["status"], r["detail"] or "",
                             parse_time(r["at"]) if r["at"] else None, r["round"], r["attempts"] or 1)
                    for r in conn.execute(q).mappings()]

    def use_link(self, nonce: str, now: datetime) -> bool:
        with self.engine.begin() as conn:
            res = conn.execute(text("INSERT INTO used_links (nonce, used_at) VALUES (:n, :t) ON CONFLICT DO NOTHING"),
                               {"n": nonce, "t": iso(now)})
            return res.rowcount == 1

    def audit_log(self, incident_id: int | None = None) -> list[dict]:
        q = select(audit).order_by(audit.c.id)
        if incident_id is not None:
            q = q.where(audit.c.incident_id == incident_id)
        with self.engine.connect() as conn:
            return [dict(r, detail=json.loads(r["detail"] or "{}")) for r in conn.execute(q).mappings()]

    def redact(self, mention_ids: set[str], blank) -> int:
        """Forgetting a person: their mentions leave every incident's evidence, and
        ``blank`` (escucha.erasure.Blanker) rewrites incident titles and explanations and
        the audit log. Returns the rows changed."""
        changed = 0
        with self.engine.begin() as conn:
            for mid in mention_ids:
                changed += conn.execute(evidence.delete().where(evidence.c.mention_id == mid)).rowcount
            for row in conn.execute(select(incidents.c.id, incidents.c.title, incidents.c.explanation)).mappings():
                title, expl = blank(row["title"]), blank(row["explanation"])
                if (title, expl) != (row["title"], row["explanation"]):
                    conn.execute(incidents.update().where(incidents.c.id == row["id"]).values(
                        title=title, explanation=expl))
                    changed += 1
            for row in conn.execute(select(audit.c.id, audit.c.detail)).mappings():
                detail = blank(row["detail"])
                if detail != row["detail"]:
                    conn.execute(audit.update().where(audit.c.id == row["id"]).values(detail=detail))
                    changed += 1
        return changed


def create_database(state_url: str, admin_url: str) -> dict:
    """Create the role and the database ``state_url`` names, through ``admin_url`` (a
    PostgreSQL superuser's, e.g. Airflow's own in the compose stack), if they are missing;
    then the tables. Idempotent: the compose init job runs it at every start. Neither URL's
    password is ever in a message."""
    from sqlalchemy.engine import make_url

    target, admin = make_url(state_url), make_url(admin_url)
    for name, url in (("the state URL", target), ("the admin URL", admin)):
        if not url.drivername.startswith("postgresql"):
            raise StoreError(f"{name} must be a postgresql:// URL; got scheme {url.drivername!r}")
    if not (target.username and target.database):
        raise StoreError("the state URL must name a user and a database, like "
                         "postgresql+psycopg://escucha:…@host/escucha")
    done = {"role": False, "database": False}
    try:
        engine = create_engine(admin.set(database=admin.database or "postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            quote = engine.dialect.identifier_preparer.quote
            if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": target.username}).first():
                # A password cannot be a bound parameter in CREATE ROLE: quoted as a literal.
                password = (target.password or "").replace("'", "''")
                conn.execute(text(f"CREATE ROLE {quote(target.username)} LOGIN PASSWORD '{password}'"))
                done["role"] = True
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).first():
                conn.execute(text(f"CREATE DATABASE {quote(target.database)} OWNER {quote(target.username)}"))
                done["database"] = True
        engine.dispose()
    except StoreError:
        raise
    except Exception as exc:
        # The driver's first line says why (refused, authentication failed for a user); it
        # never holds the password.
        why = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        raise StoreError(f"cannot create the escalation state's database through the admin URL "
                         f"({admin.host or 'local socket'}): {type(exc).__name__}: {why}") from None
    SQLState(state_url).engine.dispose()  # the tables, as its owner
    return {**done, "database_name": target.database, "role_name": target.username}
