"""OpenSearch (and Elasticsearch) behind one small indexer: the embedded store stays the
system of record; this pushes every mention, with its scores, to the search engine the
dashboards read.

* Bulk by the deterministic id (``x:123``): re-indexing changes nothing.
* A write alias over monthly indices (``escucha-mentions-2026.11``, the newest one its
  write index), created from the index template; retention by an ISM policy
  (OpenSearch) or ILM policy (Elasticsearch).
* Nothing is lost: what the server rejects for good (a mapping conflict) is quarantined
  with the field and the document named; what it cannot take now (down, 429, 5xx)
  stays pending in the embedded store and goes in the next run.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re

from escucha.errors import StoreError
from stores.mapping import document, template

PENDING_LIMIT = 5_000  # documents per run; the rest wait for the next one
log = logging.getLogger("escucha.index")


def _why(body) -> str:
    """The server's own words for a refusal: its reason, then the reasons it was caused by
    ("... template after composition is invalid: ... failed to find filter [asciifolding]")."""
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, str):
        return err
    reasons = [str(err["type"])] if isinstance(err, dict) and err.get("type") else []
    while isinstance(err, dict):
        if err.get("reason") and err["reason"] not in reasons:
            reasons.append(str(err["reason"]))
        err = err.get("caused_by")
    return ": ".join(reasons)


def _missing_analysis(reason: str) -> bool:
    """The server refused the template for an analyzer or token filter it does not have."""
    return bool(re.search(r"analyzer \[\w+\] has not been configured|failed to find (global )?(analyzer|filter|"
                          r"tokenizer)|Unknown (filter|analyzer) type", reason))


def _digest(doc: dict) -> str:
    return hashlib.sha1(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class OpenSearchIndex:
    name = "opensearch"

    def __init__(self, url: str, prefix: str = "escucha-mentions", product: str = "opensearch", client=None,
                 chunk: int = 500):
        self.url, self.prefix, self.product, self.chunk = url, prefix, product, chunk
        self.analyzers: bool | None = None  # set by setup(): whether the server has the language analyzers
        self.client = client or self._client(url)

    # The few calls where the two clients differ; ElasticsearchIndex overrides them.
    @staticmethod
    def _client(url):
        from opensearchpy import OpenSearch

        return OpenSearch(hosts=[url], timeout=30, max_retries=2, retry_on_timeout=True, verify_certs=False,
                          ssl_show_warn=False)

    @staticmethod
    def errors() -> tuple[type, type]:
        """(server unreachable, server answered with an error)."""
        from opensearchpy.exceptions import ConnectionError as OSConnectionError, TransportError

        return OSConnectionError, TransportError

    @staticmethod
    def helpers():
        from opensearchpy import helpers

        return helpers

    def _put(self, path: str, body: dict):
        self.client.transport.perform_request("PUT", path, body=body)

    def request(self, method: str, path: str, body=None, params: dict | None = None):
        """One REST call, the answer as a dict; None for a 404 (the same code speaks to both products)."""
        try:
            return self.client.transport.perform_request(method, path, params=params or {}, body=body)
        except self.errors()[1] as exc:
            if getattr(exc, "status_code", None) == 404:
                return None
            raise

    def _create_index(self, index: str, body: dict):
        self.client.indices.create(index=index, body=body, ignore=400)  # 400: created meanwhile

    @staticmethod
    def reason(exc) -> str:
        return _why(getattr(exc, "info", None)) or str(getattr(exc, "error", "") or exc)

    @property
    def alias(self) -> str:
        return self.prefix

    def index_name(self, created_at) -> str:
        return f"{self.prefix}-{created_at:%Y.%m}"

    def setup(self, retention_days: int | None = None) -> None:
        """Install the retention policy (where the server has ISM or ILM) and the index
        template; an error names the step that failed."""
        unreachable, refused = self.errors()
        step = "the retention policy"
        try:
            policy = self._retention(retention_days) if retention_days else None
            step = "the index template"
            try:
                self._put(f"/_index_template/{self.prefix}", self._template(policy))
            except refused as exc:
                if not _missing_analysis(self.reason(exc)):
                    raise
                # A minimal distribution without the analysis module (no language analyzers,
                # no accent folding): every text field keeps its name, analysed plainly, so
                # indexing and the dashboards' queries go on; stemming and folding are lost.
                log.warning("search server has no language analyzers (%s): text indexed with the standard "
                            "analyzer only", self.reason(exc)[:200])
                self._put(f"/_index_template/{self.prefix}", self._template(policy, analyzers=False))
                self.analyzers = False
                return
            self.analyzers = True
        except unreachable as exc:
            raise StoreError(f"search server {self.safe_url()} is not reachable") from exc
        except refused as exc:
            raise StoreError(f"search server refused {step}: {self.reason(exc)}") from exc

    def _template(self, policy: str | None, analyzers: bool = True) -> dict:
        # ISM attaches its policy through the policy's own ism_template.
        return template(self.prefix, analyzers=analyzers)

    def _retention(self, days: int) -> str | None:
        """Delete monthly indices older than ``days``: an ISM policy. Returns its name."""

        policy = {"policy": {"description": "escucha retention", "default_state": "hot", "states": [
            {"name": "hot", "actions": [], "transitions": [{"state_name": "delete",
                                                            "conditions": {"min_index_age": f"{days}d"}}]},
            {"name": "delete", "actions": [{"delete": {}}], "transitions": []}],
            "ism_template": [{"index_patterns": [f"{self.prefix}-*"], "priority": 100}]}}
        try:
            self._put(f"/_plugins/_ism/policies/{self.prefix}-retention", policy)
            return f"{self.prefix}-retention"
        except self.errors()[1]:
            return None  # no ISM plugin (e.g. a minimal distribution): retention stays with the retention DAG

    def safe_url(self) -> str:
        return self.url.split("@")[-1]

    def ensure_alias(self, index: str, known: set):
        if index in known:
            return
        if not self.client.indices.exists(index=index):
            self._create_index(index, {"aliases": {self.alias: {}}})
            self._move_write_index()
        known.add(index)

    def _move_write_index(self):
        """The newest month is the alias's write index (for tools that write through the
        alias); escucha itself writes to each post's own month, so re-indexing a post
        always lands on the same document. One atomic alias update."""
        names = sorted(self.request("GET", f"/_alias/{self.alias}") or {})
        months = [n for n in names if n.startswith(f"{self.prefix}-")]
        if months:
            self.request("POST", "/_aliases", {"actions": [
                {"add": {"index": n, "alias": self.alias, "is_write_index": n == months[-1]}} for n in months]})

    def push(self, store, limit: int = PENDING_LIMIT) -> dict:
        """Index what changed since the last push. Returns counts; never raises for a down server."""
        helpers = self.helpers()
        unreachable, refused = self.errors()

        pending = store.index_pending(self.name, limit)
        stats = {"indexed": 0, "unchanged": 0, "quarantined": 0, "pending": 0}
        work = []
        for m, c, indexed_digest in pending:
            doc = document(m, c)
            digest = _digest(doc)
            if indexed_digest == digest:
                stats["unchanged"] += 1
                continue
            work.append((m, doc, digest))
        known: set = set()
        for start in range(0, len(work), self.chunk):
            part = work[start : start + self.chunk]
            try:
                for m, _, _ in part:
                    self.ensure_alias(self.index_name(m.created_at), known)
                actions = [{"_op_type": "index", "_index": self.index_name(m.created_at), "_id": m.id, "_source": d}
                           for m, d, _ in part]
                _, errors = helpers.bulk(self.client, actions, raise_on_error=False, raise_on_exception=False,
                                         max_retries=3, initial_backoff=1)
            except (unreachable, refused):
                stats["pending"] += len(work) - start
                break
            failed = {}
            for e in errors:
                info = e.get("index", {})
                failed[info.get("_id")] = info
            done, rejected = [], 0
            for m, d, digest in part:
                info = failed.get(m.id)
                if info is None:
                    done.append((m.id, digest))
                    continue
                status = int(info.get("status", 0))
                if status in (429,) or status >= 500:
                    stats["pending"] += 1  # the server cannot take it now: the next run retries
                    continue
                err = info.get("error", {})
                reason = f"{err.get('type', 'error')}: {err.get('reason', '')}"[:500]
                store.quarantine(f"index:{self.name}", f"document {m.id} rejected: {reason}",
                                 json.dumps(d, ensure_ascii=False))
                done.append((m.id, digest))  # quarantined: do not retry the same version for ever
                rejected += 1
            store.mark_indexed(self.name, done)
            stats["quarantined"] += rejected
            stats["indexed"] += len(done) - rejected
        stats["deleted"] = self.push_deletions(store)
        stats["incidents"] = self.push_incidents(store)
        if stats["indexed"] or stats["incidents"] or stats["deleted"]:
            try:  # make what was indexed visible to the dashboards now
                self.client.indices.refresh(index=f"{self.prefix}-*,{self.prefix}_incidents",
                                            ignore_unavailable=True)
            except (unreachable, refused):
                pass
        return stats

    def push_deletions(self, store) -> int:
        """Delete from the index what was deleted here (platform deletions, `escucha forget`, retention)."""
        from escucha.records import parse_time

        helpers = self.helpers()

        stones = store.tombstones()
        if not stones:
            return 0
        actions = [{"_op_type": "delete", "_index": self.index_name(parse_time(created)), "_id": mid}
                   for mid, created in stones]
        try:
            _, errors = helpers.bulk(self.client, actions, raise_on_error=False, raise_on_exception=False)
        except self.errors():
            return 0  # the tombstones stay: the next run deletes
        # A 404 means the document is not there: deleted all the same.
        failed = {e["delete"]["_id"] for e in errors if e.get("delete", {}).get("status") != 404}
        done = [mid for mid, _ in stones if mid not in failed]
        store.clear_tombstones(done)
        return len(done)

    def push_incidents(self, store) -> int:
        """Incidents with their acknowledgement times, for the crisis-room panel (few: all, each time)."""
        helpers = self.helpers()

        docs = []
        for i in store.incidents():
            ack = (i.acknowledged_at - i.opened_at).total_seconds() / 60 if i.acknowledged_at and i.opened_at else None
            docs.append({"_index": f"{self.prefix}_incidents", "_id": str(i.id), "_source": {
                "id": i.id, "key": i.key, "kind": i.kind, "severity": i.severity, "title": i.title,
                "status": i.status, "account": i.account, "opened_at": i.opened_at.isoformat() if i.opened_at else None,
                "acknowledged_at": i.acknowledged_at.isoformat() if i.acknowledged_at else None,
                "acknowledged_by": i.acknowledged_by, "ack_minutes": ack, "evidence": len(i.evidence)}})
        if not docs:
            return 0
        try:
            if not self.client.indices.exists(index=f"{self.prefix}_incidents"):
                self._create_index(f"{self.prefix}_incidents", {"mappings": {"properties": {
                    "key": {"type": "keyword"}, "kind": {"type": "keyword"}, "severity": {"type": "keyword"},
                    "title": {"type": "text"}, "status": {"type": "keyword"}, "account": {"type": "keyword"},
                    "opened_at": {"type": "date"}, "acknowledged_at": {"type": "date"},
                    "acknowledged_by": {"type": "keyword"}, "ack_minutes": {"type": "float"},
                    "evidence": {"type": "integer"}, "id": {"type": "integer"}}}})
            ok, _ = helpers.bulk(self.client, docs, raise_on_error=False, raise_on_exception=False)
            return ok
        except self.errors():
            return 0

    def count(self) -> int:
        return int(self.client.count(index=self.alias)["count"])
