"""The search engine as the store itself: ``[store] backend = "opensearch"`` (or
``"elasticsearch"``) keeps mentions and their scores in the same monthly indices the
dashboards read, so there is nothing to push and nothing to lag behind.

* A mention is one document, id ``platform:native_id``, in ``{prefix}-YYYY.MM``: the
  fields of stores/mapping.py, its exact classification kept unindexed beside the flat
  fields the dashboards aggregate on, and ``detected_at`` once a detection pass saw it.
* A new post is created as is; one already stored is merged: it takes fresh metrics and
  edits, keeps its first ``collected_at`` and gains the accounts it now concerns; an
  unchanged post is a no-op. Every write is refreshed before it returns, so a checkpoint
  saved after a batch never points past something a search cannot see.
* No server-side scripting, update-by-query or delete-by-query: a change is read, made
  here and written back only if nobody wrote the document meanwhile (its sequence number),
  and deletes go by id. Elastic's minimal builds have no scripting or reindex module, and
  every engine has these.
* A document the engine refuses for good (a mapping conflict) is quarantined with its
  reason; one it cannot take now (down, 429, 5xx) raises, so the collector keeps its
  checkpoint and the next run fetches it again. Nothing is silently lost.
* Checkpoints, the quarantine and the record of erasures are small indices beside the
  mentions (``{prefix}_checkpoints`` ...); incidents, deliveries and the audit log stay
  in a relational database (escucha.state), PostgreSQL in production: they need
  atomic claims a search engine does not give.
"""
from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime
from typing import Iterable, Iterator

from escucha.errors import StoreError
from escucha.records import Classification, Mention, iso, utcnow, whole_text
from escucha.shards import shard_of
from escucha.store import StateBacked, Store
from stores.elasticsearch import ElasticsearchIndex
from stores.mapping import CLASSIFICATION_FIELDS, classification_fields, mention_fields
from stores.opensearch import OpenSearchIndex

PAGE = 1000

# A mention written by escucha has these; a document another tool wrote through the alias may not.
OURS = [{"exists": {"field": "platform"}}, {"exists": {"field": "native_id"}}, {"exists": {"field": "created_at"}}]

SIDE = {  # small indices beside the mentions
    "checkpoints": {"collector": {"type": "keyword"}, "key": {"type": "keyword"},
                    "value": {"type": "keyword", "index": False}, "updated_at": {"type": "date"}},
    "quarantine": {"source": {"type": "keyword"}, "reason": {"type": "text"}, "payload": {"type": "text", "index": False},
                   "at": {"type": "date"}, "seq": {"type": "long"}},
    "forgotten": {"removed": {"type": "integer"}, "at": {"type": "date"}},
}


def _merged(old: dict, new: dict) -> dict:
    """A post collected again: its fresh fields, its first ``collected_at``, and every
    account it has concerned."""
    out = {**old, **new}
    if old.get("collected_at") is not None:
        out["collected_at"] = old["collected_at"]
    out["accounts"] = list(new.get("accounts") or []) + [a for a in old.get("accounts") or []
                                                        if a not in (new.get("accounts") or [])]
    return out


class SearchStore(StateBacked, Store):
    """Mentions in OpenSearch; see the module docstring."""

    name = "opensearch"
    index_class = OpenSearchIndex
    is_index = True  # the index step has no mentions to push: they are here already

    def __init__(self, url: str, prefix: str = "escucha-mentions", state_url: str = "sqlite:///escucha-state.db",
                 retention_days: int | None = None):
        self.ix = self.index_class(url, prefix=prefix)
        self.prefix = prefix
        self.pattern = f"{prefix}-*"
        self.retention_days = retention_days
        self._known: set = set()
        self._ready = False
        from escucha.state import SQLState

        # Opening the store does not touch the engine: escalation reads only this state, and
        # must page the committee while the engine is down.
        self.state = SQLState(state_url)

    def _setup(self):
        """The template (every monthly index gets the mapping) and the side indices, on first use."""
        if self._ready:
            return
        self._ready = True
        try:
            self.ix.setup(self.retention_days)
            for side, props in SIDE.items():
                try:
                    self._call("PUT", f"/{self.prefix}_{side}",
                               {"mappings": {"dynamic": "strict", "properties": props}})
                except StoreError as exc:
                    if "already_exists" not in str(exc):
                        raise
        except BaseException:
            self._ready = False
            raise

    @classmethod
    def from_config(cls, config) -> "SearchStore":
        if not config.index_url:
            raise StoreError(f"store.backend = {cls.name} needs the server: set [index] url_env to a variable "
                             "holding its URL")
        state = config.state_url or f"sqlite:///{config.store_path}"
        return cls(config.index_url, prefix=config.index_prefix, state_url=state,
                   retention_days=config.retention_days)

    def close(self):
        pass

    # -- plumbing ---------------------------------------------------------------
    def _call(self, method, path, body=None, params=None):
        self._setup()
        unreachable, refused = self.ix.errors()
        try:
            return self.ix.request(method, path, body, params)
        except unreachable:
            raise StoreError(f"search server {self.ix.safe_url()} is not reachable") from None
        except refused as exc:
            raise StoreError(f"search server refused {method} {path}: {self.ix.reason(exc)}") from None

    def _search(self, query: dict, sort: list, limit: int | None = None, source=True, index: str | None = None,
                versions: bool = False) -> Iterator[dict]:
        """Every hit of ``query`` (over the mention indices unless ``index``) in ``sort`` order, page by page."""
        if index is None:  # only what escucha wrote: other tools may write through the alias
            query = {"bool": {"must": [query], "filter": OURS}}
        after, seen = None, 0
        while limit is None or seen < limit:
            size = PAGE if limit is None else min(PAGE, limit - seen)
            body = {"query": query, "sort": sort, "size": size, "_source": source, "track_total_hits": False,
                    **({"seq_no_primary_term": True} if versions else {})}
            if after is not None:
                body["search_after"] = after
            res = self._call("POST", f"/{index or self.pattern}/_search", body,
                             {"ignore_unavailable": "true", "allow_no_indices": "true"})
            hits = (res or {}).get("hits", {}).get("hits", [])
            yield from hits
            seen += len(hits)
            if len(hits) < size:
                return
            after = hits[-1]["sort"]

    _ORDER = [{"created_at": "asc"}, {"id": "asc"}]

    @staticmethod
    def _range(since, until) -> list[dict]:
        r = {}
        if since:
            r["gte"] = iso(since)
        if until:
            r["lt"] = iso(until)
        return [{"range": {"created_at": r}}] if r else []

    def _bulk(self, actions: list[dict]) -> list[tuple[bool, dict]]:
        """Run ``actions``; (ok, item) for each, in order. Raises StoreError if the server is down."""
        self._setup()
        helpers = self.ix.helpers()
        try:
            return list(helpers.streaming_bulk(self.ix.client, actions, raise_on_error=False,
                                               raise_on_exception=False, chunk_size=500, refresh="true"))
        except self.ix.errors() as exc:
            raise StoreError(f"search server {self.ix.safe_url()} could not take the batch: "
                             f"{self.ix.reason(exc)}") from None

    def _where(self, ids: list[str]) -> dict[str, str]:
        """The monthly index holding each id (partial updates need the concrete index)."""
        found = {}
        for start in range(0, len(ids), PAGE):
            part = ids[start : start + PAGE]
            for h in self._search({"ids": {"values": part}}, ["_doc"], len(part), source=False):
                found[h["_id"]] = h["_index"]
        return found

    def _rewrite(self, ids: list[str], change, what: str, payloads: dict, tries: int = 5) -> int:
        """Read each document, ``change(id, source)`` it here, and write it back only if
        nobody wrote it meanwhile (``if_seq_no``/``if_primary_term``); a document that lost
        that race is read and changed again. Returns how many were written."""
        todo, written = list(dict.fromkeys(ids)), 0
        for _ in range(tries):
            hits = {}
            for start in range(0, len(todo), PAGE):
                part = todo[start : start + PAGE]
                hits.update((h["_id"], h) for h in self._search({"ids": {"values": part}}, ["_doc"], len(part),
                                                                versions=True))
            actions = []
            for i in todo:
                h = hits.get(i)
                new = change(i, h["_source"]) if h else None
                if new is not None and new != h["_source"]:
                    actions.append({"_op_type": "index", "_index": h["_index"], "_id": i, "_source": new,
                                    "if_seq_no": h["_seq_no"], "if_primary_term": h["_primary_term"]})
            if not actions:
                return written
            results = self._bulk(actions)
            todo = [a["_id"] for (ok, item), a in zip(results, actions)
                    if not ok and item["index"].get("status") == 409]
            self._failed(what, [(ok, item) for ok, item in results if ok or item["index"].get("status") != 409],
                         payloads)
            written += sum(1 for ok, _ in results if ok)
            if not todo:
                return written
        raise StoreError(f"search server: {len(todo)} {what}(s) kept changing under escucha's writes "
                         f"(e.g. {todo[0]}); they were not written and the next run tries again")

    def _failed(self, what: str, results, payloads: dict) -> None:
        """Quarantine what the server refused for good; raise for what it cannot take now."""
        later = []
        for ok, item in results:
            if ok:
                continue
            info = next(iter(item.values()))
            status = info.get("status")
            status = status if isinstance(status, int) else 0  # "N/A": the request never got an answer
            err = info.get("error", {})
            reason = f"{err.get('type', 'error')}: {err.get('reason', '')}"[:500] if isinstance(err, dict) else str(err)
            if status == 429 or status >= 500 or status == 0:
                later.append(f"{info.get('_id')} ({reason})")
                continue
            self.quarantine(f"store:{self.name}", f"{what} {info.get('_id')} refused: {reason}",
                            json.dumps(payloads.get(info.get("_id"), {}), ensure_ascii=False))
        if later:
            raise StoreError(f"search server could not take {len(later)} {what}(s) now, e.g. {later[0]}; "
                             "they were not stored and the next run tries again")

    # -- mentions -----------------------------------------------------------------
    def upsert_mentions(self, mentions: Iterable[Mention]) -> int:
        self._setup()  # before the first monthly index is made: it must get the template
        actions, docs = [], {}
        for m in mentions:
            d = mention_fields(m)
            index = self.ix.index_name(m.created_at)
            if index not in self._known:
                try:
                    self.ix.ensure_alias(index, self._known)
                except self.ix.errors() as exc:
                    raise StoreError(f"search server could not create {index}: {self.ix.reason(exc)}") from None
            docs[m.id] = d
            actions.append({"_op_type": "create", "_index": index, "_id": m.id, "_source": d})
        if not actions:
            return 0
        # Most posts are new: a plain create. Those already stored (409) are merged.
        created = self._bulk(actions)
        again = [a["_id"] for (ok, item), a in zip(created, actions)
                 if not ok and item.get("create", {}).get("status") == 409]
        self._failed("mention", [(ok, item) for ok, item in created
                                 if ok or item.get("create", {}).get("status") != 409], docs)
        if again:
            self._rewrite(again, lambda i, old: _merged(old, docs[i]), "mention", docs)
        return sum(1 for ok, _ in created if ok)

    @staticmethod
    def _mention(src: dict) -> Mention:
        return Mention.from_dict(src)

    def get_mention(self, mention_id):
        for h in self._search({"ids": {"values": [mention_id]}}, ["_doc"], 1):
            return self._mention(h["_source"])
        return None

    def mentions(self, since=None, until=None, account=None):
        flt = self._range(since, until)
        if account:
            flt.append({"term": {"accounts": account}})
        for h in self._search({"bool": {"filter": flt}}, self._ORDER):
            yield self._mention(h["_source"])

    def count_mentions(self) -> int:
        res = self._call("POST", f"/{self.pattern}/_count", {"query": {"bool": {"filter": OURS}}},
                         {"ignore_unavailable": "true", "allow_no_indices": "true"})
        return int((res or {}).get("count", 0))

    def search(self, query, limit=50):
        if not query.strip():
            return []
        # A match query reads the text as words, never as query syntax.
        q = {"multi_match": {"query": query, "operator": "and",
                             "fields": ["text", "text.folded", "text.es", "text.en", "text.fr"]}}
        return [self._mention(h["_source"]) for h in self._search(q, [{"created_at": "desc"}, {"id": "asc"}], limit)]

    def delete_mentions(self, ids):
        where = self._where(list(ids))
        return self._delete(where, "mention")

    def _delete(self, where: dict[str, str], what: str) -> int:
        """Delete documents by id in their concrete index; one already gone counts for nothing."""
        results = self._bulk([{"_op_type": "delete", "_index": index, "_id": i} for i, index in where.items()])
        self._failed(what, [(ok, item) for ok, item in results if ok or item["delete"].get("status") != 404], {})
        return sum(1 for ok, _ in results if ok)

    def mentions_by_author(self, handle):
        q = {"term": {"author.handle": {"value": handle.lstrip("@"), "case_insensitive": True}}}
        return [h["_id"] for h in self._search(q, self._ORDER, source=False)]

    # -- quarantine, checkpoints, erasures ----------------------------------------
    def quarantine(self, source, reason, payload):
        # What is set aside is often what no record could hold: half an emoji included.
        doc = {"source": source, "reason": whole_text(reason), "payload": whole_text(payload[:20_000]),
               "at": iso(utcnow()), "seq": time.time_ns()}
        self._call("POST", f"/{self.prefix}_quarantine/_doc", doc, {"refresh": "true"})

    def forget_quarantined(self, needles):
        # What is set aside is kept whole, not searchable: read it, and delete by id.
        needles = [n.lower() for n in needles if n]
        ids = [q["id"] for q in self.quarantined()
               if any(n in (q.get("payload") or "").lower() or n in (q.get("reason") or "").lower() for n in needles)]
        if not ids:
            return 0
        return self._delete({i: f"{self.prefix}_quarantine" for i in ids}, "quarantined item")

    def quarantined(self):
        hits = self._search({"match_all": {}}, [{"seq": "asc"}, {"at": "asc"}], index=f"{self.prefix}_quarantine")
        return [{"id": h["_id"], **h["_source"]} for h in hits]

    def _checkpoint_id(self, collector, key) -> str:
        return hashlib.sha1(f"{collector}\x1f{key}".encode()).hexdigest()

    def get_checkpoint(self, collector, key):
        res = self._call("GET", f"/{self.prefix}_checkpoints/_doc/{self._checkpoint_id(collector, key)}")
        return res["_source"]["value"] if res and res.get("found") else None

    def set_checkpoint(self, collector, key, value):
        self._call("PUT", f"/{self.prefix}_checkpoints/_doc/{self._checkpoint_id(collector, key)}",
                   {"collector": collector, "key": key, "value": value, "updated_at": iso(utcnow())},
                   {"refresh": "true"})

    def checkpoints(self):
        hits = self._search({"match_all": {}}, [{"collector": "asc"}, {"key": "asc"}],
                            index=f"{self.prefix}_checkpoints")
        return [(h["_source"]["collector"], h["_source"]["key"], h["_source"]["value"]) for h in hits]

    def record_forgotten(self, handle_hash: str, removed: int, now: datetime) -> None:
        self._call("PUT", f"/{self.prefix}_forgotten/_doc/{handle_hash}", {"removed": removed, "at": iso(now)},
                   {"refresh": "true"})

    # -- classifications ------------------------------------------------------------
    def unclassified(self, model_version, limit=10_000, shard=None):
        q = {"bool": {"must_not": [{"term": {"model_version": model_version}}]}}
        if not shard:
            return [self._mention(h["_source"]) for h in self._search(q, self._ORDER, limit)]
        # The share is chosen here, not by the engine (a script query per document would
        # cost more than reading the ids): a shard reads the others' unscored mentions too.
        index, count = shard
        hits = self._search(q, self._ORDER, limit * count)
        return [self._mention(h["_source"]) for h in hits if shard_of(h["_id"], count) == index][:limit]

    def _set_classification(self, ids: list[str], docs: dict[str, dict]) -> int:
        # Every classification field is replaced, none merged: a partial update would keep
        # the old scores of a task the new model no longer gives.
        fields = (*CLASSIFICATION_FIELDS, "classification", "classified_at")

        def change(i, old):
            new = {k: v for k, v in old.items() if k not in fields}
            new.update(docs.get(i, {}))
            return new

        return self._rewrite(ids, change, "classification", docs)

    def save_classifications(self, items):
        now = iso(utcnow())
        docs = {c.mention_id: {**classification_fields(c), "classification": c.to_dict(), "classified_at": now}
                for c in items}
        return self._set_classification(list(docs), docs)

    def forget_classifications(self, ids):
        self._set_classification(list(ids), {})

    def classification(self, mention_id):
        for h in self._search({"ids": {"values": [mention_id]}}, ["_doc"], 1, source=["classification"]):
            c = h.get("_source", {}).get("classification")
            return Classification.from_dict(c) if c else None
        return None

    def classified(self, since=None, until=None):
        q = {"bool": {"filter": [{"exists": {"field": "model_version"}}, *self._range(since, until)]}}
        return [(self._mention(h["_source"]), Classification.from_dict(h["_source"]["classification"]))
                for h in self._search(q, self._ORDER)]

    # -- detection bookkeeping ------------------------------------------------------
    def undetected_ids(self):
        q = {"bool": {"filter": [{"exists": {"field": "model_version"}}],
                      "must_not": [{"exists": {"field": "detected_at"}}]}}
        return {h["_id"] for h in self._search(q, self._ORDER, source=False)}

    def detected_ids(self):
        return {h["_id"] for h in self._search({"exists": {"field": "detected_at"}}, self._ORDER, source=False)}

    def mark_detected(self, ids, now):
        ids = list(ids)
        where = self._where(ids)
        # A partial update by id: one flat field, nothing to merge wrongly.
        results = self._bulk([{"_op_type": "update", "_index": where[i], "_id": i, "doc": {"detected_at": iso(now)},
                               "retry_on_conflict": 3} for i in ids if i in where])
        self._failed("detection mark", results, {})


class ElasticsearchStore(SearchStore):
    """The same store through the Elasticsearch client (elasticsearch-py 8)."""

    name = "elasticsearch"
    index_class = ElasticsearchIndex
