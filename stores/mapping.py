"""The index template: explicit mappings, language-aware text, keyword fields for filters."""
from __future__ import annotations

from escucha.records import TASKS


def template(prefix: str, shards: int = 1, replicas: int = 0, analyzers: bool = True) -> dict:
    """``analyzers=False``: the same fields, every one with the standard analyzer, for a
    server without the analysis module (a minimal distribution)."""
    def a(name):
        return name if analyzers else "standard"

    text = {"type": "text", "analyzer": "standard",
            # One sub-field per language: analysts search "boletas" and find "boleta".
            "fields": {"folded": {"type": "text", "analyzer": a("folded")},
                       "es": {"type": "text", "analyzer": a("spanish")},
                       "en": {"type": "text", "analyzer": a("english")},
                       "fr": {"type": "text", "analyzer": a("french")}}}
    kw = {"type": "keyword"}
    settings = {"number_of_shards": shards, "number_of_replicas": replicas}
    if analyzers:
        # "destruyo" finds "destruyó" in any language, as the embedded store's search does.
        settings["analysis"] = {"analyzer": {"folded": {"type": "custom", "tokenizer": "standard",
                                                        "filter": ["lowercase", "asciifolding"]}}}
    return {
        "index_patterns": [f"{prefix}-*"],
        "template": {
            "settings": settings,
            "mappings": {
                "dynamic": "strict",
                "properties": {
                    "id": kw, "platform": kw, "native_id": kw, "url": kw, "lang": kw, "accounts": kw,
                    "text": text,
                    "author": {"properties": {"handle": kw, "display_name": {"type": "text"},
                                              "followers": {"type": "long"}, "verified": {"type": "boolean"},
                                              "id": kw}},
                    "created_at": {"type": "date"}, "collected_at": {"type": "date"},
                    "in_reply_to": kw, "quote_of": kw, "repost_of": kw, "conversation_id": kw,
                    "own": {"type": "boolean"}, "source": kw,
                    "metrics": {"type": "object", "dynamic": True},
                    "model_version": kw,
                    "sentiment": kw, "offensive": kw, "hate": kw, "threat": kw, "misinformation": kw, "target": kw,
                    "scores": {"properties": {t: {"type": "float"} for t in (
                        "negative", "positive", "offensive", "hate", "threat", "fake")}},
                    "flags": {"properties": {"task": kw, "label": kw, "reason": {"type": "text"}, "evidence": kw,
                                             "link": kw}},
                    "unscorable": kw,
                    # Used when the search engine is the store itself (stores/search.py): the exact
                    # classification, kept but not indexed, and the pipeline's bookkeeping.
                    "classification": {"type": "object", "enabled": False},
                    "classified_at": {"type": "date"}, "detected_at": {"type": "date"},
                },
            },
        },
        "priority": 100,
    }


CLASSIFICATION_FIELDS = ("model_version", *TASKS, "scores", "flags", "unscorable")


def mention_fields(mention) -> dict:
    d = mention.to_dict()
    d["metrics"] = {k: v for k, v in d["metrics"].items() if isinstance(v, (int, float))}
    return d


def classification_fields(classification) -> dict:
    """The scores as flat fields the dashboards filter and aggregate on."""
    c = classification
    s = c.scores
    d = {"model_version": c.model_version}
    d.update({t: c.labels.get(t) for t in TASKS if t in c.labels})
    d["scores"] = {k: v for k, v in {
        "negative": s.get("sentiment", {}).get("negative"), "positive": s.get("sentiment", {}).get("positive"),
        "offensive": s.get("offensive", {}).get("offensive"), "hate": s.get("hate", {}).get("hate"),
        "threat": s.get("threat", {}).get("threat"), "fake": s.get("misinformation", {}).get("fake")}.items()
        if v is not None}
    d["flags"] = [{"task": f.task, "label": f.label, "reason": f.reason, "evidence": f.evidence, "link": f.link}
                  for f in c.flags]
    d["unscorable"] = c.unscorable
    return d


def document(mention, classification) -> dict:
    """A mention and its scores as one flat document (the deterministic id is the doc id)."""
    d = mention_fields(mention)
    if classification is not None:
        d.update(classification_fields(classification))
    return d
