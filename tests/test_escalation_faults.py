"""Nobody who should be paged is left unpaged: a tick killed mid-send, a mail server that
is down and comes back, a whole chain that reaches nobody. Real SMTP and webhook servers
on loopback, the state in SQLite and PostgreSQL, and a real kill -9."""
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from alerting.escalation import STALE_SEND, tick
from replay.mailbox import SMTPSink, free_port
from escucha.config import Contact
from escucha.errors import Unpaged
from escucha.pipeline import check_paged

from .test_escalation import WORKDAY, Hooks, _open, store  # noqa: F401  (store: the fixture)


class Mute(SMTPSink):
    """A real SMTP server that, while ``hang`` is set, takes a message and never answers:
    a send blocks inside the conversation."""

    hang = True

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        while self.hang:
            await asyncio.sleep(0.05)
        if server.transport is None or server.transport.is_closing():
            return "421 the client is gone"  # the killed sender's message was never delivered
        return await super().handle_DATA(server, session, envelope)


def _with_ana(config, *contacts):
    return replace(config, members=tuple(replace(m, contacts=tuple(contacts)) if m.id == "ana" else m
                                         for m in config.members))


def _mail(port, to="ana@ien.example.org"):
    return Contact("ESCUCHA_ANA_EMAIL", f"mailto://127.0.0.1:{port}?from=a@ien.example.org&to={to}&mode=insecure")


CHILD = """
import sys
from datetime import datetime
from escucha.store import SQLiteStore
from alerting.escalation import tick
import pickle
cfg = pickle.loads(bytes.fromhex(sys.argv[1]))
store = SQLiteStore(sys.argv[2], state_url=sys.argv[3] or None)
tick(cfg, store, datetime.fromisoformat(sys.argv[4]))
"""


def test_a_tick_killed_mid_send_is_retried_by_a_later_tick_and_audited(config, store):
    import pickle

    mute = Mute().start()
    cfg = _with_ana(config, _mail(mute.port))
    inc = _open(store, cfg, WORKDAY)
    url = store.state.engine.url.render_as_string(hide_password=False) if store.state.url.startswith("postgres") \
        else ""
    child = subprocess.Popen([sys.executable, "-c", CHILD, pickle.dumps(cfg).hex(), str(store.path), url,
                              WORKDAY.isoformat()], cwd=os.getcwd())
    try:
        deadline = time.monotonic() + 60
        while not any(d.status == "sending" for d in store.deliveries(inc.id)):
            assert time.monotonic() < deadline and child.poll() is None, "the child never started sending"
            time.sleep(0.1)
        time.sleep(0.3)  # inside the SMTP conversation now
        os.kill(child.pid, signal.SIGKILL)  # the worst moment: claimed, not finished
        child.wait()
        assert [d.status for d in store.deliveries(inc.id)] == ["sending"]
        mute.hang = False  # the mail server answers again
        tick(cfg, store, WORKDAY + timedelta(minutes=1))  # within STALE_SEND: in flight, for all a tick knows
        assert mute.messages == []
        stats = tick(cfg, store, WORKDAY + STALE_SEND + timedelta(seconds=1))
    finally:
        mute.hang = False
        mute.stop()
    assert stats["sent"] == 1 and len(mute.messages) == 1
    ds = store.deliveries(inc.id)
    assert [(d.status, d.attempts) for d in ds] == [("sent", 2)]
    retry = [a for a in store.audit_log(inc.id) if a["action"] == "delivery.retry"]
    assert len(retry) == 1 and "cut short" in retry[0]["detail"]["reason"]


def test_smtp_down_pages_the_fallback_fails_loudly_and_repages_when_it_is_back(config, store):
    port = free_port()
    hooks = Hooks()
    try:
        members = tuple(replace(m, contacts=(_mail(port, f"{m.id}@ien.example.org"),)) for m in config.members)
        cfg = replace(config, members=members, fallback=(Contact("ESCUCHA_FALLBACK", hooks.url),))
        inc = _open(store, cfg, WORKDAY, severity="high", key="narrative:x")
        t = WORKDAY
        stats = tick(cfg, store, t)
        assert stats["sent"] == 0 and stats["failed"] == 1 and stats["unpaged"] == [inc.id]
        with pytest.raises(Unpaged) as err:
            check_paged(stats)
        assert err.value.exit_code == 3 and f"#{inc.id}" in str(err.value)
        assert len(hooks.received) == 1, "the fallback contact gets the alarm"
        assert "NADIE" in json.dumps(hooks.received[0], ensure_ascii=False)
        log = [a["action"] for a in store.audit_log(inc.id)]
        assert log.count("escalation.unpaged") == 1
        tick(cfg, store, t + timedelta(minutes=15))  # step 2 (role monitoreo): also fails
        assert len(hooks.received) == 1, "the fallback is paged once per incident"
        with SMTPSink(port=port) as back:  # the mail server comes back
            stats = tick(cfg, store, t + timedelta(minutes=40))
            assert stats["unpaged"] == [] and check_paged(stats) is stats
            got = sorted(rcpt[0].split("@")[0] for _, rcpt in back.envelopes)
        # Everyone the chain tried was paged once the server answered: step 1 and step 2.
        assert "ana" in got and len(got) == len(set(got)) >= 2
        retries = [a for a in store.audit_log(inc.id) if a["action"] == "delivery.retry"]
        assert retries and all(a["detail"]["reason"] == "failed before" for a in retries)
    finally:
        hooks.server.shutdown()


def test_failed_sends_back_off(config, store):
    port = free_port()
    cfg = _with_ana(config, _mail(port))
    inc = _open(store, cfg, WORKDAY)
    t = WORKDAY
    tick(cfg, store, t)
    for minutes in (0.5, 0.9):  # before the first backoff (1 min): no new attempt
        tick(cfg, store, t + timedelta(minutes=minutes))
    assert [d.attempts for d in store.deliveries(inc.id) if d.member == "ana"] == [1]
    tick(cfg, store, t + timedelta(minutes=1))
    tick(cfg, store, t + timedelta(minutes=2))  # second backoff is 2 minutes after the 2nd try
    assert [d.attempts for d in store.deliveries(inc.id) if d.member == "ana"] == [2]
    tick(cfg, store, t + timedelta(minutes=3))
    assert [d.attempts for d in store.deliveries(inc.id) if d.member == "ana"] == [3]
