"""escucha fails loudly when it cannot hear, and pages about its own blindness.

Real parts: the X API emulator (a revoked token answers 401, a dead port refuses the
connection), the loopback SMTP server, the CLI in a subprocess. Nothing collected is lost
when a source fails, the command's exit status says who was not heard, and an account
silent for ``blind_minutes`` opens one incident paged to the operations contacts first.
"""
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import pytest

from collectors.emulators.x import XEmulator
from demo import week
from escucha import pipeline
from escucha.errors import CollectorError
from escucha.records import utcnow
from replay.mailbox import free_port

from .conftest import ROOT

T0 = week.WEEK_START + timedelta(days=2, hours=15)


@pytest.fixture
def x():
    users, tweets = week.build()
    with XEmulator(users, tweets, token="test-token") as server:
        server.state.visible_until = (T0 - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        yield server


def _revoked(config, handle):
    """The config with ``handle``'s token taken from a variable whose token X refuses."""
    accounts = tuple(replace(a, token_env="ESCUCHA_X_REVOKED") if a.handle == handle else a
                     for a in config.accounts)
    return replace(config, accounts=accounts)


def _mails(smtp):
    return [(rcpt, m.get_body(("plain",)).get_content(), str(m["Subject"])) for m, (_, rcpt)
            in zip(smtp.messages, smtp.envelopes)]


def test_a_refused_account_fails_the_run_but_the_others_are_stored(config, x, monkeypatch):
    monkeypatch.setenv("ESCUCHA_X_REVOKED", "a-revoked-token")
    cfg = _revoked(config.with_base_url("x", x.base_url), "@IEN_Informa")
    store = pipeline.open_store(cfg)
    res = pipeline.collect_mentions(cfg, store, ("x",), now=T0)
    assert set(res["failed"]) == {"x:@IEN_Informa"} and "401" in res["failed"]["x:@IEN_Informa"]
    assert res["new"] > 0 and store.count_mentions() == res["new"]  # @IEN_Oficial's posts are kept
    with pytest.raises(CollectorError, match="x:@IEN_Informa"):
        pipeline.require_collected(res)
    rows = {r["target"]: r for r in pipeline.hearing(cfg, store, T0)}
    assert rows["x:@IEN_Oficial"]["last_success"] and not rows["x:@IEN_Oficial"]["last_error"]
    assert rows["x:@IEN_Informa"]["last_success"] is None and "401" in rows["x:@IEN_Informa"]["last_error"]
    assert rows["x:@IEN_Informa"]["last_error_at"].endswith("-06:00")  # local time, Mexico City
    assert not any(r["silent"] for r in rows.values())  # one failed run is not yet blindness


def test_silence_pages_the_operations_contacts_once(config, x, smtp, monkeypatch):
    monkeypatch.setenv("ESCUCHA_X_REVOKED", "a-revoked-token")
    cfg = _revoked(config.with_base_url("x", x.base_url), "@IEN_Informa")
    store = pipeline.open_store(cfg)
    for minute in range(0, 30, 5):  # every run fails for @IEN_Informa, succeeds for @IEN_Oficial
        pipeline.collect_mentions(cfg, store, ("x",), now=T0 + timedelta(minutes=minute))
        assert not pipeline.escalate(cfg, store, now=T0 + timedelta(minutes=minute)).get("blind")
    stats = pipeline.escalate(cfg, store, now=T0 + timedelta(minutes=31))
    [blind] = [store.incident(i) for i in stats["blind"]]
    assert blind.kind == "blind" and blind.severity == "high" and blind.account == "x:@IEN_Informa"
    # The operations contacts (role "ti": jorge) are the first step; nobody else yet.
    assert [r for r, _, _ in _mails(smtp)] == [["jorge@ien.example.org"]]
    _, body, subject = _mails(smtp)[0]
    assert "@IEN_Informa" in subject and "escucha no recibe menciones" in subject
    assert "la plataforma rechaza las credenciales" in body and "(America/Mexico_City)" in body
    assert "collector x" not in body and "401" not in body and "Unauthorized" not in body  # internals: the log
    # Later ticks page along the chain but never open a second incident for the same silence,
    # and the member reached as the operations contact is not paged again by the policy.
    for minute in range(32, 55):  # (no collection runs meanwhile: at 55, @IEN_Oficial too is silent)
        assert not pipeline.escalate(cfg, store, now=T0 + timedelta(minutes=minute)).get("blind")
    assert [i.kind for i in store.incidents()] == ["blind"]
    assert sum(r == ["jorge@ien.example.org"] for r, _, _ in _mails(smtp)) == 1
    assert ["ana@ien.example.org"] in [r for r, _, _ in _mails(smtp)]  # then the "alta" policy's first step


def test_a_resolved_silence_is_not_opened_again_and_a_new_one_is(config, x, monkeypatch):
    monkeypatch.setenv("ESCUCHA_X_REVOKED", "a-revoked-token")
    deaf = _revoked(config.with_base_url("x", x.base_url), "@IEN_Informa")
    store = pipeline.open_store(deaf)
    for minute in (0, 35):
        pipeline.collect_mentions(deaf, store, ("x",), now=T0 + timedelta(minutes=minute))
    [first] = pipeline.escalate(deaf, store, now=T0 + timedelta(minutes=36))["blind"]
    pipeline.resolve(deaf, store, first, by="jorge", now=T0 + timedelta(minutes=41))
    pipeline.collect_mentions(deaf, store, ("x",), now=T0 + timedelta(minutes=45))  # still refused
    assert not pipeline.escalate(deaf, store, now=T0 + timedelta(minutes=50)).get("blind")
    # The token is fixed: hearing is back, and nothing is raised while it lasts.
    healed = config.with_base_url("x", x.base_url)
    pipeline.collect_mentions(healed, store, ("x",), now=T0 + timedelta(minutes=60))
    assert not pipeline.escalate(healed, store, now=T0 + timedelta(minutes=85)).get("blind")
    # Then the scheduler stops: no run at all for half an hour is a new silence, said as such.
    opened = pipeline.escalate(healed, store, now=T0 + timedelta(minutes=91))["blind"]
    assert len(opened) == 2 and first not in opened  # both accounts: nothing ran
    assert all("La recogida dejó de ejecutarse" in store.incident(i).explanation for i in opened)


def test_an_unreachable_platform_is_named_in_words(config, monkeypatch):
    cfg = config.with_base_url("x", f"http://127.0.0.1:{free_port()}")  # nobody listens there
    store = pipeline.open_store(cfg)
    res = pipeline.collect_mentions(cfg, store, ("x",), now=T0, sleep=lambda s: None)  # no waits between retries
    assert set(res["failed"]) == {"x:@IEN_Oficial", "x:@IEN_Informa"}
    [a, b] = pipeline.escalate(cfg, store, now=T0 + timedelta(minutes=30))["blind"]
    assert "no se puede conectar con la plataforma" in store.incident(a).explanation


def test_blindness_can_be_switched_off(config, x, monkeypatch):
    monkeypatch.setenv("ESCUCHA_X_REVOKED", "a-revoked-token")
    cfg = _revoked(config.with_base_url("x", x.base_url), "@IEN_Informa")
    cfg = replace(cfg, detection=replace(cfg.detection, blind_minutes=0))
    store = pipeline.open_store(cfg)
    pipeline.collect_mentions(cfg, store, ("x",), now=T0)
    assert not pipeline.escalate(cfg, store, now=T0 + timedelta(days=2)).get("blind")


def _cli(args, env):
    return subprocess.run([sys.executable, "-m", "escucha.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_the_commands_exit_non_zero_when_an_account_is_not_heard(config, x, tmp_path):
    text = (ROOT / "escucha.example.toml").read_text(encoding="utf-8")
    text = text.replace('path = "escucha.db"', f'path = "{tmp_path / "cli.db"}"')
    text = text.replace('handle = "@IEN_Informa"\nuser_id = "900002"\ntoken_env = "ESCUCHA_X_BEARER_TOKEN"',
                        'handle = "@IEN_Informa"\nuser_id = "900002"\ntoken_env = "ESCUCHA_X_REVOKED"')
    text += f'\n[platforms.x]\nbase_url = "{x.base_url}"\n'
    path = tmp_path / "escucha.toml"
    path.write_text(text, encoding="utf-8")
    env = dict(os.environ, ESCUCHA_X_REVOKED="a-revoked-token", ESCUCHA_CONFIG=str(path))
    r = _cli(["collect"], env)
    assert r.returncode == 1, r.stderr
    assert "nothing could be collected from x:@IEN_Informa" in r.stderr and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["new"] > 0  # what was heard is stored and said
    r = _cli(["health"], env)
    assert r.returncode == 0, r.stderr  # one failed run is not yet blindness
    r = _cli(["health", "--now", (utcnow() + timedelta(hours=2)).isoformat()], env)
    assert r.returncode == 1 and "x:@IEN_Informa" in r.stderr and "Traceback" not in r.stderr
    assert {row["target"]: row["silent"] for row in json.loads(r.stdout)} == {
        "x:@IEN_Oficial": True, "x:@IEN_Informa": True}  # two hours after the last run: both


def test_a_corrupt_health_record_never_stops_the_tick_from_paging(config, smtp):
    """Malformed bookkeeping (a record another version or a hand edit left) is logged;
    the threat already open is paged all the same."""
    from escucha.records import Incident

    store = pipeline.open_store(config)
    store.set_checkpoint("health", "x:@IEN_Oficial", '{"first_try": 5, "error_at": [1]}')
    store.set_checkpoint("health", "x:@IEN_Informa", "not json at all")
    store.open_incident(Incident("threat:x:1", "threat", "critical", "Amenaza", "explicación", evidence=["x:1"]), T0)
    stats = pipeline.escalate(config, store, now=T0 + timedelta(minutes=40))
    assert stats["sent"] >= 1 and ["ana@ien.example.org"] in [rcpt for _, rcpt in smtp.envelopes]
