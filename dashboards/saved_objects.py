"""Dashboards as code: saved objects for OpenSearch Dashboards and Kibana, labels in Spanish.

``build(prefix)`` returns the objects; ``escucha dashboards export`` writes them as NDJSON
(dashboards/saved_objects/escucha.ndjson) and ``escucha dashboards install`` imports them
through the product's saved-objects API, idempotently (fixed ids, overwrite).
"""
from __future__ import annotations

import json

INDEX_PATTERN_ID = "escucha-mentions"
INCIDENTS_PATTERN_ID = "escucha-incidents"


def _vis(vid, title, vtype, aggs, params=None, query="", pattern=INDEX_PATTERN_ID):
    state = {"title": title, "type": vtype, "aggs": aggs, "params": params or {}}
    search = {"query": {"query": query, "language": "kuery"}, "filter": [],
              "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    return {"id": vid, "type": "visualization", "attributes": {
        "title": title, "visState": json.dumps(state, ensure_ascii=False), "uiStateJSON": "{}", "description": "",
        "version": 1, "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(search)}},
        "references": [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern",
                        "id": pattern}]}


def _agg(aid, atype, schema, **params):
    return {"id": str(aid), "enabled": True, "type": atype, "schema": schema, "params": params}


def _date(aid=2, field="created_at"):
    return _agg(aid, "date_histogram", "segment", field=field, interval="auto", min_doc_count=1)


def _terms(aid, field, schema="group", size=10, label=""):
    return _agg(aid, "terms", schema, field=field, size=size, order="desc", orderBy="1", customLabel=label)


def visualizations():
    count = _agg(1, "count", "metric")
    return [
        _vis("escucha-volumen-sentimiento", "Volumen por sentimiento", "histogram",
             [count, _date(), _terms(3, "sentiment", label="Sentimiento")], {"type": "histogram", "mode": "stacked"}),
        _vis("escucha-volumen-cuenta", "Volumen por cuenta", "line",
             [count, _date(), _terms(3, "accounts", label="Cuenta")]),
        _vis("escucha-categorias", "Categorías: desinformación, odio, amenazas", "pie",
             [count, _agg(2, "filters", "segment", filters=[
                 {"input": {"query": "misinformation:fake", "language": "kuery"}, "label": "Desinformación"},
                 {"input": {"query": "hate:hate or offensive:offensive", "language": "kuery"}, "label": "Odio"},
                 {"input": {"query": "threat:threat", "language": "kuery"}, "label": "Amenazas"}])]),
        _vis("escucha-narrativas", "Narrativas de desinformación", "table",
             [count, _terms(2, "flags.evidence", "bucket", 20, "Afirmación")], {"perPage": 10},
             query="flags.task:misinformation"),
        _vis("escucha-autores", "Autores principales (alcance)", "table",
             [_agg(1, "max", "metric", field="author.followers", customLabel="Seguidores"),
              _terms(2, "author.handle", "bucket", 20, "Autor"), _terms(3, "sentiment", "bucket", 3, "Sentimiento")],
             {"perPage": 10}),
        _vis("escucha-idiomas", "Idiomas", "pie", [count, _terms(2, "lang", "segment", 10, "Idioma")]),
        _vis("escucha-incidentes", "Incidentes y tiempo de acuse", "table",
             [_agg(1, "avg", "metric", field="ack_minutes", customLabel="Minutos hasta el acuse"),
              _terms(2, "severity", "bucket", 5, "Severidad"), _terms(3, "kind", "bucket", 10, "Tipo")],
             {"perPage": 10}, pattern=INCIDENTS_PATTERN_ID),
    ]


def feed_search():
    search = {"query": {"query": "threat:threat or hate:hate or offensive:offensive", "language": "kuery"},
              "filter": [], "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    return {"id": "escucha-feed-amenazas-odio", "type": "search", "attributes": {
        "title": "Amenazas y odio", "columns": ["author.handle", "text", "threat", "hate", "accounts"],
        "sort": [["created_at", "desc"]], "description": "", "version": 1,
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(search)}},
        "references": [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern",
                        "id": INDEX_PATTERN_ID}]}


def _dashboard(did, title, panel_ids):
    panels, refs = [], []
    for i, (pid, ptype) in enumerate(panel_ids):
        ref = f"panel_{i}"
        panels.append({"panelIndex": str(i + 1), "gridData": {"x": (i % 2) * 24, "y": (i // 2) * 15, "w": 24,
                                                             "h": 15, "i": str(i + 1)}, "version": "2.19.1",
                       "panelRefName": ref, "embeddableConfig": {}})
        refs.append({"name": ref, "type": ptype, "id": pid})
    return {"id": did, "type": "dashboard", "attributes": {
        "title": title, "hits": 0, "description": "", "panelsJSON": json.dumps(panels), "optionsJSON":
        json.dumps({"useMargins": True, "hidePanelTitles": False}), "version": 1, "timeRestore": True,
        "timeFrom": "now-7d", "timeTo": "now", "refreshInterval": {"pause": False, "value": 60000},
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"query": "", "language": "kuery"},
                                                                  "filter": []})}},
        "references": refs}


def build(prefix: str = "escucha-mentions") -> list[dict]:
    patterns = [
        {"id": INDEX_PATTERN_ID, "type": "index-pattern",
         "attributes": {"title": prefix, "timeFieldName": "created_at"}, "references": []},
        {"id": INCIDENTS_PATTERN_ID, "type": "index-pattern",
         "attributes": {"title": f"{prefix}_incidents", "timeFieldName": "opened_at"}, "references": []},
    ]
    vis = visualizations()
    crisis = [("escucha-incidentes", "visualization"), ("escucha-feed-amenazas-odio", "search"),
              ("escucha-volumen-sentimiento", "visualization"), ("escucha-categorias", "visualization"),
              ("escucha-narrativas", "visualization"), ("escucha-volumen-cuenta", "visualization")]
    explorer = [("escucha-volumen-cuenta", "visualization"), ("escucha-autores", "visualization"),
                ("escucha-idiomas", "visualization"), ("escucha-volumen-sentimiento", "visualization"),
                ("escucha-narrativas", "visualization"), ("escucha-feed-amenazas-odio", "search")]
    return patterns + vis + [feed_search(), _dashboard("escucha-sala-de-crisis", "Sala de crisis", crisis),
                             _dashboard("escucha-explorador", "Explorador", explorer)]


def ndjson(objects) -> str:
    return "".join(json.dumps(o, ensure_ascii=False, sort_keys=True) + "\n" for o in objects)


def install(url: str, product: str = "opensearch", objects=None, timeout: float = 30) -> dict:
    """Import the objects through the saved-objects API (overwrite: running it twice changes nothing)."""
    import requests

    from escucha.errors import EscuchaError

    header = {"opensearch": "osd-xsrf", "kibana": "kbn-xsrf"}.get(product)
    if header is None:
        raise EscuchaError(f"--product must be opensearch or kibana; got {product!r}")
    body = ndjson(objects or build())
    try:
        r = requests.post(url.rstrip("/") + "/api/saved_objects/_import", params={"overwrite": "true"},
                          headers={header: "true"}, files={"file": ("escucha.ndjson", body, "application/ndjson")},
                          timeout=timeout)
    except requests.RequestException as exc:
        raise EscuchaError(f"{product} dashboards at {url.split('@')[-1]} are not reachable ({type(exc).__name__})") \
            from None
    if r.status_code != 200:
        raise EscuchaError(f"{product} refused the import: HTTP {r.status_code} {r.text[:300]}")
    out = r.json()
    if not out.get("success"):
        errs = "; ".join(f"{e.get('type')}:{e.get('id')} {e.get('error', {}).get('type')}" for e in out.get("errors", []))
        raise EscuchaError(f"{product} imported {out.get('successCount', 0)} objects and refused others: {errs}")
    return {"imported": out.get("successCount", 0)}
