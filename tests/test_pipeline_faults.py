"""The whole pipeline under faults, on real servers: the X API emulator failing and
stalling, the mail server stopped and started again, a dead webhook. Every post is
stored exactly once, the run says when nobody could be paged (and the fallback is
paged), and the member is paged once the mail server is back."""
import json
import os
import threading
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from collectors.emulators.x import XEmulator
from demo import week
from escucha import config as cfgmod
from escucha import pipeline
from escucha.config import Contact
from escucha.errors import Unpaged
from replay.mailbox import SMTPSink, free_port

from .conftest import EXAMPLE, MEMBERS

T0 = week.WEEK_START + timedelta(days=5, hours=23)  # Saturday night: the demo's threat


class _Hook(BaseHTTPRequestHandler):
    got: list = []

    def do_POST(self):
        _Hook.got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *a):
        pass


@pytest.fixture
def hook():
    _Hook.got = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"json://127.0.0.1:{server.server_address[1]}/fallback"
    server.shutdown()


def test_faults_lose_no_post_and_leave_nobody_unpaged(tmp_path, monkeypatch, hook):
    users, tweets = week.build()
    tweets = [t for t in tweets if t["created_at"] <= (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")]
    port = free_port()
    mail = SMTPSink(tmp_path / "mail", port=port).start()
    for m in MEMBERS:
        monkeypatch.setenv(f"ESCUCHA_{m.upper()}_EMAIL", mail.url_for(f"{m}@ien.example.org"))
    monkeypatch.setenv("ESCUCHA_ANA_WEBHOOK", f"json://127.0.0.1:{free_port()}/dead")  # nobody listens
    monkeypatch.setenv("ESCUCHA_REPORT_EMAIL", mail.url_for("direccion@ien.example.org"))
    monkeypatch.setenv("ESCUCHA_X_BEARER_TOKEN", "test-token")
    monkeypatch.setenv("ESCUCHA_LINK_SECRET", "k" * 40)
    with XEmulator(users, tweets) as x:
        config = cfgmod.load(EXAMPLE, env=os.environ)
        config = replace(config, store_path=str(tmp_path / "escucha.db"),
                         fallback=(Contact("ESCUCHA_FALLBACK_URL", hook),)).with_base_url("x", x.base_url)
        store = pipeline.open_store(config)
        before = T0 - timedelta(minutes=30)
        x.state.visible_until = before.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        # 1. The API fails: the run says so, and nothing moves past what was stored.
        x.state.faults = [{"status": 503, "match": "/mentions"}] * 6
        res = pipeline.run_once(config, store, now=before)
        assert res["collect"]["errors"], "a failing source is reported, not silent"
        # 2. The API is back and the threat is posted; the mail server is down.
        mail.stop()
        x.state.faults = [{"stall": 2, "match": "/tweets"}]  # a slow answer on the way
        now = T0 + timedelta(minutes=30)
        x.state.visible_until = (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        res = pipeline.run_once(config, store, now=now)
        assert not res["collect"]["errors"]
        threat = next(store.incident(i) for i in res["detect"]["opened"] if store.incident(i).kind == "threat")
        with pytest.raises(Unpaged, match=f"#{threat.id}"):
            pipeline.check_paged(res["escalate"])
        assert [h for h in _Hook.got if "NOBODY WAS PAGED" in json.dumps(h)], "the fallback channel was paged"
        assert any(a["action"] == "escalation.unpaged" for a in store.audit_log(threat.id))
        # 3. The mail server comes back: the member is paged by a later tick.
        mail = SMTPSink(tmp_path / "mail2", port=port).start()
        try:
            for minute in range(1, 6):
                pipeline.escalate(config, store, now=now + timedelta(minutes=minute))
            assert any(rcpt == ["ana@ien.example.org"] for _, rcpt in mail.envelopes), mail.envelopes
        finally:
            mail.stop()
        # Every post the emulator served is stored, once.
        served = {f"x:{t['id']}" for t in tweets}
        assert {m.id for m in store.mentions()} == served and store.count_mentions() == len(served)
        store.close()
