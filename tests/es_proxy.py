"""An Elasticsearch 8 face on a real OpenSearch node, for the tests of the Elasticsearch indexer.

No Elasticsearch server can be had on this machine (not on PyPI, Maven Central or
Debian), so the official client talks, on loopback, to this proxy in front of the
real OpenSearch node the other tests use. It speaks what differs on the wire:

* the client's media types (``application/vnd.elasticsearch+json; compatible-with=8``)
  become plain JSON for OpenSearch, and every answer carries
  ``X-Elastic-Product: Elasticsearch`` (the client refuses a server without it);
* ILM, which OpenSearch lacks: ``PUT/GET/DELETE /_ilm/policy/NAME`` are answered here
  after checking the policy's structure the way Elasticsearch does (known phases,
  time values, known actions), and the ``index.lifecycle.name`` setting of an index
  template is checked against the stored policies, recorded, and removed before the
  template goes to OpenSearch.

Everything else (templates, aliases, bulk, search, aggregations, deletes) is the real
engine's answer.
"""
from __future__ import annotations

import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

PHASES = ("hot", "warm", "cold", "frozen", "delete")
ACTIONS = {"rollover", "set_priority", "unfollow", "readonly", "shrink", "forcemerge", "searchable_snapshot",
           "allocate", "migrate", "freeze", "delete", "wait_for_snapshot", "downsample"}
TIME = re.compile(r"^\d+(d|h|m|s|ms|micros|nanos)$")


def _error(status: int, kind: str, reason: str) -> tuple[int, dict]:
    return status, {"error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason},
                    "status": status}


def check_policy(body) -> str:
    """The reason Elasticsearch would refuse this ILM policy body, or ''."""
    if not isinstance(body, dict) or set(body) != {"policy"} or not isinstance(body["policy"], dict):
        return "request body must hold exactly one field, [policy]"
    phases = body["policy"].get("phases")
    if not isinstance(phases, dict) or not phases:
        return "[policy] must define [phases]"
    for name, phase in phases.items():
        if name not in PHASES:
            return f"Timeseries lifecycle does not support phase [{name}]"
        age = phase.get("min_age", "0ms")
        if not isinstance(age, str) or not TIME.match(age):
            return f"failed to parse setting [min_age] with value [{age}] as a time value"
        for action in phase.get("actions", {}):
            if action not in ACTIONS:
                return f"[{name}] phase does not support action [{action}]"
    return ""


class ElasticsearchFace:
    """``with ElasticsearchFace(opensearch_url) as es: es.url``"""

    def __init__(self, backend_url: str):
        self.backend = urlparse(backend_url)
        self.policies: dict[str, dict] = {}
        self.faults: list[tuple[str, int]] = []  # (path regex, status): answered once each, in order
        self.template_policies: dict[str, str] = {}  # template name -> ILM policy it attaches
        face = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # see collectors/emulators/loopback.py

            def log_message(self, *a):
                pass

            def _answer(self, status: int, body: bytes, ctype: str = "application/json"):
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(body)))
                self.send_header("x-elastic-product", "Elasticsearch")
                self.end_headers()
                self.wfile.write(body)

            def _handle(self):
                n = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(n) if n else b""
                path = urlparse(self.path).path
                local = face.fault(path) or face.local(self.command, path, body)
                if local is not None:
                    status, doc = local
                    return self._answer(status, json.dumps(doc).encode())
                if self.command == "PUT" and path.startswith("/_index_template/"):
                    status_body = face.strip_lifecycle(path.rsplit("/", 1)[1], body)
                    if isinstance(status_body, tuple):
                        return self._answer(status_body[0], json.dumps(status_body[1]).encode())
                    body = status_body
                headers = {"content-type": _plain(self.headers.get("content-type", "application/json"))}
                conn = http.client.HTTPConnection(face.backend.hostname, face.backend.port, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    self._answer(resp.status, data, resp.getheader("content-type", "application/json"))
                finally:
                    conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def fault(self, path: str):
        """An injected failure for this path (a server overloaded or restarting), or None."""
        for i, (pattern, status) in enumerate(self.faults):
            if re.search(pattern, path):
                del self.faults[i]
                return _error(status, "es_rejected_execution_exception" if status == 429 else "unavailable",
                              "injected by the test")
        return None

    def local(self, method: str, path: str, body: bytes):
        """Answers for the ILM API; None for what OpenSearch answers itself."""
        m = re.fullmatch(r"/_ilm/policy/([^/]+)", path)
        if not m:
            return None
        name = m.group(1)
        if method == "PUT":
            try:
                doc = json.loads(body or b"{}")
            except ValueError:
                return _error(400, "x_content_parse_exception", "request body is not JSON")
            reason = check_policy(doc)
            if reason:
                return _error(400, "x_content_parse_exception", reason)
            self.policies[name] = doc["policy"]
            return 200, {"acknowledged": True}
        if name not in self.policies:
            return _error(404, "resource_not_found_exception", f"Lifecycle policy not found: {name}")
        if method == "DELETE":
            del self.policies[name]
            return 200, {"acknowledged": True}
        return 200, {name: {"version": 1, "policy": self.policies[name]}}

    def strip_lifecycle(self, template: str, body: bytes):
        doc = json.loads(body)
        settings = doc.get("template", {}).get("settings", {})
        policy = settings.pop("index.lifecycle.name", None)
        if policy is not None:
            if policy not in self.policies:  # Elasticsearch accepts it, then fails every index: refuse here
                return _error(400, "illegal_argument_exception", f"policy [{policy}] does not exist")
            self.template_policies[template] = policy
        return json.dumps(doc).encode()

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _plain(ctype: str) -> str:
    if "x-ndjson" in ctype:
        return "application/x-ndjson"
    return "application/json" if "json" in ctype else ctype
