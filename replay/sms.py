"""A loopback SMS gateway that speaks SMSEagle's JSON-RPC API (``smseagle://``, a gateway
institutions host themselves), keeping what it is asked to send: the SMS pages of the tests
and of a drill on one machine."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SMSGateway:
    """``with SMSGateway() as sms: sms.url_for("+5215550100")``; what was sent in ``sms.messages``
    as (phone, text). ``down = True`` answers every send with an error, as a gateway out of credit."""

    def __init__(self, token: str = "escucha-sms-token"):
        self.token = token
        self.messages: list[tuple[str, str]] = []
        self.down = False
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                try:
                    call = json.loads(self.rfile.read(n) or b"{}")
                    params = call["params"]
                    ok = call["method"] == "sms.send_sms" and params["access_token"] == gateway.token
                except (ValueError, KeyError, TypeError):
                    ok, params = False, {}
                if self.path != "/jsonrpc/sms" or not ok or gateway.down:
                    result = {"error_text": "Invalid login or password" if not ok else "No credit", "status": "error"}
                else:
                    with gateway.lock:
                        for phone in str(params.get("to", "")).split(","):
                            gateway.messages.append((phone, params.get("message", "")))
                        result = {"message_id": str(len(gateway.messages)), "status": "ok"}
                body = json.dumps({"result": result}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def url_for(self, phone: str) -> str:
        return f"smseagle://{self.token}@127.0.0.1:{self.port}/{phone}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
