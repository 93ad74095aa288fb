"""Dashboards as code: structure, the query behind every visualization on a real node,
and the import through the saved-objects API."""
import email
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dashboards.saved_objects import build, install, ndjson
from stores.mapping import template

ROOT = Path(__file__).resolve().parent.parent
INCIDENT_FIELDS = {"key", "kind", "severity", "title", "status", "account", "opened_at", "acknowledged_at",
                   "acknowledged_by", "ack_minutes", "evidence", "id"}


def _fields(props, prefix=""):
    out = set()
    for name, spec in props.items():
        out.add(prefix + name)
        if "properties" in spec:
            out |= _fields(spec["properties"], prefix + name + ".")
    return out


MENTION_FIELDS = _fields(template("x")["template"]["mappings"]["properties"])


def test_shipped_ndjson_is_what_the_code_builds():
    assert (ROOT / "dashboards" / "saved_objects" / "escucha.ndjson").read_text(encoding="utf-8") == ndjson(build())


def test_every_reference_resolves_and_every_field_exists():
    objs = build()
    ids = {(o["type"], o["id"]) for o in objs}
    titles = {o["attributes"]["title"] for o in objs if o["type"] == "dashboard"}
    assert titles == {"Sala de crisis", "Explorador"}
    for o in objs:
        for ref in o["references"]:
            assert (ref["type"], ref["id"]) in ids, (o["id"], ref)
        if o["type"] == "visualization":
            state = json.loads(o["attributes"]["visState"])
            pattern = o["references"][0]["id"]
            known = INCIDENT_FIELDS if pattern == "escucha-incidents" else MENTION_FIELDS
            for agg in state["aggs"]:
                field = agg["params"].get("field")
                assert field is None or field in known, (o["id"], field)
        if o["type"] == "dashboard":
            panels = json.loads(o["attributes"]["panelsJSON"])
            assert {p["panelRefName"] for p in panels} == {r["name"] for r in o["references"]}


def _to_query(state):
    """The aggregation a visualization asks the server for (the same translation the product does)."""
    metric = state["aggs"][0]
    inner = {} if metric["type"] == "count" else {"m": {metric["type"]: {"field": metric["params"]["field"]}}}
    aggs = inner
    for a in reversed(state["aggs"][1:]):
        p = a["params"]
        if a["type"] == "terms":
            body = {"terms": {"field": p["field"], "size": p["size"]}}
        elif a["type"] == "date_histogram":
            body = {"date_histogram": {"field": p["field"], "calendar_interval": "day"}}
        elif a["type"] == "filters":
            body = {"filters": {"filters": {f["label"]: {"query_string": {"query": f["input"]["query"].replace(
                " or ", " OR ")}} for f in p["filters"]}}}
        if aggs:
            body["aggs"] = aggs
        aggs = {"a" + a["id"]: body}
    return {"size": 0, "aggs": aggs}


@pytest.mark.parametrize("server", ["opensearch", "es7", "es8"])
def test_the_query_behind_every_visualization_runs_on_a_real_node(store, server, request):
    """OpenSearch, and Elasticsearch 7.17 and 8.19 (what Kibana would send them)."""
    from stores.elasticsearch import ElasticsearchIndex
    from stores.opensearch import OpenSearchIndex

    from .conftest import drop_indices

    from .test_opensearch import data

    data(store)
    from escucha.records import Incident

    from .conftest import utc

    inc, _ = store.open_incident(Incident("threat:x:7", "threat", "critical", "t", "e", evidence=["x:7"]),
                                 utc(2026, 11, 10, 19))
    store.set_status(inc.id, "acknowledged", "ana", utc(2026, 11, 10, 19, 6))
    cls = OpenSearchIndex if server == "opensearch" else ElasticsearchIndex
    ix = cls(request.getfixturevalue(f"{server}_url"), prefix="vis")
    ix.setup()
    assert ix.push(store)["incidents"] == 1
    results = {}
    for o in build("vis"):
        if o["type"] != "visualization":
            continue
        state = json.loads(o["attributes"]["visState"])
        index = "vis_incidents" if o["references"][0]["id"] == "escucha-incidents" else "vis"
        body = _to_query(state)
        q = json.loads(o["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"]
        if q:
            body["query"] = {"query_string": {"query": q}}
        results[o["id"]] = ix.request("POST", f"/{index}/_search", body)["aggregations"]
    cats = results["escucha-categorias"]["a2"]["buckets"]
    assert {k: v["doc_count"] for k, v in cats.items()} == {"Desinformación": 3, "Odio": 0, "Amenazas": 1}
    langs = results["escucha-idiomas"]["a2"]["buckets"]
    assert [(b["key"], b["doc_count"]) for b in langs] == [("es", 30)]
    inc_rows = results["escucha-incidentes"]["a2"]["buckets"]
    assert inc_rows[0]["key"] == "critical" and inc_rows[0]["a3"]["buckets"][0]["m"]["value"] == 6.0
    drop_indices(ix, "vis-*", "vis_incidents")


class FakeDashboards:
    """Speaks OpenSearch Dashboards' saved-objects import API (the product itself cannot run here)."""

    def __init__(self, header):
        self.objects, self.calls = {}, []
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers["content-length"])
                raw = self.rfile.read(n)
                outer.calls.append((self.path, dict(self.headers)))
                if self.headers.get(header) != "true":
                    return self._send(400, {"statusCode": 400, "error": "Bad Request",
                                            "message": f"Request must contain a {header} header."})
                msg = email.message_from_bytes(b"content-type: " + self.headers["content-type"].encode() + b"\r\n\r\n"
                                               + raw)
                part = next(p for p in msg.walk() if p.get_filename())
                objs = [json.loads(line) for line in part.get_payload(decode=True).decode().splitlines() if line]
                for o in objs:
                    outer.objects[(o["type"], o["id"])] = o
                self._send(200, {"success": True, "successCount": len(objs)})

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.mark.parametrize("product,header", [("opensearch", "osd-xsrf"), ("kibana", "kbn-xsrf")])
def test_install_is_idempotent_through_the_import_api(product, header):
    fake = FakeDashboards(header)
    try:
        assert install(fake.url, product)["imported"] == 12
        assert install(fake.url, product)["imported"] == 12
        assert len(fake.objects) == 12
        assert all("overwrite=true" in path for path, _ in fake.calls)
    finally:
        fake.server.shutdown()


def test_install_reports_an_unreachable_server():
    from replay.mailbox import free_port
    from escucha.errors import EscuchaError

    with pytest.raises(EscuchaError, match="not reachable"):
        install(f"http://127.0.0.1:{free_port()}", "opensearch")
