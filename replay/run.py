"""``escucha replay``: a scenario week through the real pipeline, on the scenario's clock.

The scenario's posts are served by the local X API emulator, revealed as the clock
passes their time. At the production cadence, in one process: every 5 minutes the
pipeline collects, classifies, indexes and detects (``pipeline.run_once``); every
minute while an incident is open it escalates (``pipeline.escalate``). Minutes where
nothing new was posted and nothing is open are skipped: a collection would fetch nothing,
and detection opens incidents only on new evidence.

Pages go to a local SMTP server (never to the configured people), and the simulated
committee acknowledges each incident ``ack_after`` minutes after its first page. With
``drill=True`` the pages go to the committee's real channels, marked SIMULACRO in the
subject and body, and nobody is simulated: the whole contact chain is walked.
"""
from __future__ import annotations

import json
import os
import secrets
import tomllib
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from escucha import config as cfgmod
from escucha import pipeline
from escucha.config import Contact
from escucha.errors import ConfigError, EscuchaError, InputError
from escucha.records import DIGEST_MARK, iso
from replay import scenario as scn

SCENARIOS = Path(__file__).resolve().parent / "scenarios"  # the bundled weeks
COLLECT = timedelta(minutes=5)
ESCALATE = timedelta(minutes=1)
TAIL = timedelta(hours=6)  # the clock runs on after the last post: escalations and late detections finish


def _standins(data: dict, drill: bool, token: str) -> tuple[dict, dict]:
    """The configuration as the replay runs it, and the environment it reads.

    The replay keeps its own store and no search index; the link secret is a fresh one (a
    drill's links must never act on the production incidents); the X token is the
    emulator's. Without ``drill`` every channel is replaced after parsing, so a contact
    whose variable is not set here gets a stand-in; a drill needs the real ones."""
    data = json.loads(json.dumps(data))  # a deep copy of plain TOML values
    store = data.setdefault("store", {})
    if isinstance(store, dict):
        store.pop("state_url_env", None)
        store.pop("backend", None)
    data.pop("index", None)
    report = data.get("report")
    if isinstance(report, dict):
        report.pop("recipients", None)
    env = dict(os.environ)
    links = data.setdefault("links", {})
    if isinstance(links, dict):
        links["secret_env"] = "ESCUCHA_REPLAY_LINK_SECRET"
    env["ESCUCHA_REPLAY_LINK_SECRET"] = secrets.token_urlsafe(32)

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "token_env" and isinstance(v, str):
                    env[v] = token
                elif k == "url_env" and isinstance(v, str) and not drill and not env.get(v):
                    env[v] = "mailto://127.0.0.1:25?from=escucha@example.org&to=stand-in@example.org&mode=insecure"
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return data, env


def load_config(path: str | Path, out: Path, drill: bool, token: str, sink=None):
    """The configuration at ``path``, made safe to replay with (see :func:`_standins`)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError([f"file not found: {path}"], str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"not valid TOML: {exc}"], str(path)) from None
    data, env = _standins(data, drill, token)
    config = cfgmod.parse(data, str(path), env=env, base_dir=path.parent.resolve())
    config = replace(config, store_path=str(out / "replay.db"), store_backend="sqlite", state_url="",
                     index_url="", drill=drill)
    if not drill:  # every page lands in the local mail server, addressed to the member's id
        def local(who: str, c: Contact) -> Contact:
            return Contact(c.url_env, sink.url_for(f"{who}@replay.example.org", "escucha@replay.example.org"), c.label)

        config = replace(config, fallback=tuple(local("fallback", c) for c in config.fallback[:1]),
                         members=tuple(replace(m, contacts=tuple(local(m.id, c) for c in m.contacts[:1]))
                                       for m in config.members))
    return config


def x_data(scenario: scn.Scenario, config) -> tuple[list[dict], list[dict], dict]:
    """The scenario as X API v2 users and posts, and each post's X id by scenario id.

    X ids are snowflakes that grow with time; a reply's text starts with the handle it
    answers and a repost's is "RT @author: text", as X writes them."""
    users: dict[str, dict] = {}
    own_ids = {a.handle.lower().lstrip("@"): a.user_id for a in config.accounts if a.platform == "x"}
    for a in config.accounts:
        if a.platform == "x":
            handle = a.handle.lstrip("@")
            uid = a.user_id or str(900_000 + len(users))
            users[handle.lower()] = {"id": uid, "username": handle, "name": handle, "verified": True,
                                     "public_metrics": {"followers_count": 0}}
    for p in scenario.posts:
        u = users.get(p.handle.lower())
        if u is None:
            u = users[p.handle.lower()] = {"id": str(100_000 + len(users)), "username": p.handle,
                                           "name": p.name or p.handle, "verified": p.verified,
                                           "public_metrics": {"followers_count": p.followers}}
        elif p.handle.lower() in own_ids:
            u["name"] = p.name or u["name"]
            u["public_metrics"]["followers_count"] = max(p.followers, u["public_metrics"]["followers_count"])
    ids = {p.id: str(1_860_000_000_000_000_000 + i * 7919) for i, p in enumerate(scenario.posts)}
    by_id = {p.id: p for p in scenario.posts}
    tweets, conversation = [], {}  # X id -> the thread it belongs to
    for p in scenario.posts:
        xid = ids[p.id]
        text = p.text
        refs = []
        t = {"id": xid, "author_id": users[p.handle.lower()]["id"], "created_at": p.time.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
             "conversation_id": xid, "edit_history_tweet_ids": [xid],
             "public_metrics": {"like_count": p.metrics.get("likes", 0), "retweet_count": p.metrics.get("reposts", 0),
                                "reply_count": p.metrics.get("replies", 0), "quote_count": p.metrics.get("quotes", 0),
                                "impression_count": p.metrics.get("impressions", 0)}}
        if p.reply_to:
            parent = by_id[p.reply_to]
            refs.append({"type": "replied_to", "id": ids[p.reply_to]})
            t["in_reply_to_user_id"] = users[parent.handle.lower()]["id"]
            t["conversation_id"] = conversation[ids[p.reply_to]]
            if not text.lower().startswith(f"@{parent.handle.lower()}"):
                text = f"@{parent.handle} {text}"
        if p.repost_of:
            orig = by_id[p.repost_of]
            refs.append({"type": "retweeted", "id": ids[p.repost_of]})
            text = f"RT @{orig.handle}: {orig.text}"
        if p.quote_of:
            refs.append({"type": "quoted", "id": ids[p.quote_of]})
        conversation[xid] = t["conversation_id"]
        if refs:
            t["referenced_tweets"] = refs
        if p.lang:
            t["lang"] = p.lang
        if p.source:
            t["source"] = p.source
        t["text"] = text
        tweets.append(t)
    return list(users.values()), tweets, ids


@contextmanager
def _token(config, token: str):
    """The emulator's token where the X collector reads its credential, for the replay only."""
    names = {a.token_env or "ESCUCHA_X_BEARER_TOKEN" for a in config.accounts if a.platform == "x"}
    before = {n: os.environ.get(n) for n in names}
    os.environ.update(dict.fromkeys(names, token))
    try:
        yield
    finally:
        for n, v in before.items():
            if v is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = v


def _next_collect(t):
    """The first 5-minute mark at or after ``t``."""
    mark = t.replace(second=0, microsecond=0) - timedelta(minutes=t.minute % 5)
    return mark if mark == t else mark + COLLECT


def _local(config, at) -> str:
    return at.astimezone(config.tz).strftime("%a %d %b %H:%M")


def replay(scenario_path, config_path=None, out="escucha-replay", expected=None, drill: bool = False,
           ack_after: float | None = 10.0, echo=print) -> dict:
    """Replay ``scenario_path``; returns the timeline, the incidents and (with ``expected``,
    a truth file) the score. Writes ``timeline.txt``, ``timeline.jsonl`` and ``score.json``
    under ``out``."""
    from collectors.emulators.x import XEmulator
    from replay.mailbox import SMTPSink
    from replay.score import load_truth, score

    scenario = scn.load(scenario_path)
    config_path = config_path or scenario.config
    if not config_path:
        raise InputError(f"{scenario.path}: names no configuration: give one with --config, or "
                         "\"config\" in the scenario line")
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for name in ("replay.db", "replay.db-wal", "replay.db-shm"):
        (out / name).unlink(missing_ok=True)  # a replay starts from nothing
    token = "replay-" + secrets.token_hex(8)
    with SMTPSink(out / "mail") as sink:
        config = load_config(config_path, out, drill, token, sink)
        scn.check_own(scenario, config.own_handles())
        truth = load_truth(expected, scenario) if expected else None
        users, tweets, xids = x_data(scenario, config)
        with XEmulator(users, tweets) as x, _token(config, token):
            x.state.token = token
            config = config.with_base_url("x", x.base_url)
            store = pipeline.open_store(config)
            try:
                events = _run(config, store, scenario, x, ack_after=None if drill else ack_after, echo=echo)
                result = _result(config, store, scenario, xids, events, sink, drill)
            finally:
                store.close()
    if truth is not None:
        result["score"] = score(truth, result, config)
    _write(out, result, config)
    return result


def _run(config, store, scenario, x, ack_after, echo) -> list[dict]:
    posts = scenario.posts
    now = _next_collect(scenario.start)
    end = max(scenario.end, posts[-1].time) + TAIL
    shown = 0  # posts the emulator serves so far
    collected_at = None
    acks: dict[int, object] = {}  # incident -> when the simulated committee acknowledges it
    events: list[dict] = []
    while now <= end:
        if now.minute % 5 == 0 and (shown < len(posts) and posts[shown].time <= now or collected_at is None):
            x.state.visible_until = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            while shown < len(posts) and posts[shown].time <= now:
                shown += 1
            res = pipeline.run_once(config, store, now=now, sources=("x",))
            if res["collect"]["errors"]:  # a replay that cannot collect measures nothing
                raise EscuchaError(f"the replay could not collect at {_local(config, now)}: "
                                   + "; ".join(map(str, res["collect"]["errors"]))[:500])
            collected_at = now
            for kind, ids in (("opened", res["detect"]["opened"]), ("grouped", res["detect"]["updated"])):
                for iid in ids:
                    inc = store.incident(iid)
                    events.append({"at": now, "event": kind, "incident": iid, "kind": inc.kind,
                                   "severity": inc.severity, "title": inc.title, "evidence": list(inc.evidence)})
                    echo(f"  {_local(config, now)}  incident #{iid} {kind} [{inc.severity}] {inc.title}")
        elif store.incidents(status="open"):
            pipeline.escalate(config, store, now=now)
        if ack_after is not None:
            for inc in store.incidents(status="open"):
                if inc.id not in acks:
                    sent = [d for d in store.deliveries(inc.id) if d.status == "sent" and d.member != "(fallback)"]
                    if sent:
                        acks[inc.id] = (min(d.at for d in sent) + timedelta(minutes=ack_after), sent[0].member)
                if inc.id in acks and acks[inc.id][0] <= now:
                    pipeline.acknowledge(config, store, inc.id, by=acks[inc.id][1], now=now)
        if store.incidents(status="open"):
            now += ESCALATE
        elif shown < len(posts):  # nothing to escalate: on to the collection that finds the next post
            now = max(now + ESCALATE, _next_collect(posts[shown].time))
        else:
            break
    return events


def _message_of(d) -> str:
    """Which message a page was: a digest's pages to one member share one."""
    _, _, ids = d.detail.partition(DIGEST_MARK)
    return f"{d.member}|{d.channel}|{d.at}|{ids}" if ids else f"{d.incident_id}|{d.member}|{d.channel}|{d.at}"


def _result(config, store, scenario, xids, events, sink, drill) -> dict:
    back = {f"x:{v}": k for k, v in xids.items()}  # mention id -> scenario id
    incidents = []
    for inc in store.incidents():
        pages = [{"at": d.at, "member": d.member, "step": d.step, "round": d.round, "channel": d.channel,
                  "status": d.status, "message": _message_of(d)} for d in store.deliveries(inc.id)]
        incidents.append({"id": inc.id, "kind": inc.kind, "severity": inc.severity, "title": inc.title,
                          "opened_at": inc.opened_at, "acknowledged_at": inc.acknowledged_at,
                          "acknowledged_by": inc.acknowledged_by, "key": inc.key,
                          "posts": [back.get(e, e) for e in inc.evidence], "pages": pages})
        for p in pages:
            events.append({"at": p["at"], "event": "paged" if p["status"] == "sent" else f"page {p['status']}",
                           "incident": inc.id, "member": p["member"], "step": p["step"], "channel": p["channel"]})
        if inc.acknowledged_at:
            events.append({"at": inc.acknowledged_at, "event": "acknowledged", "incident": inc.id,
                           "member": inc.acknowledged_by})
    for e in events:
        if "evidence" in e:
            e["posts"] = [back.get(i, i) for i in e.pop("evidence")]
    events.sort(key=lambda e: (e["at"], e["incident"]))
    return {"scenario": scenario.name, "posts": len(scenario.posts), "drill": drill, "timezone": config.timezone,
            "start": scenario.start, "end": scenario.end,
            "events": events, "incidents": incidents, "emails": len(sink.messages),
            "unanswered": [back.get(r["id"], r["id"]) for r in pipeline.unanswered(config, store, scenario.end)]}


def _line(config, e: dict) -> str:
    at = _local(config, e["at"])
    if e["event"] in ("opened", "grouped"):
        what = (f"opened [{e['severity']}] {e['title']} ({len(e['posts'])} posts)" if e["event"] == "opened"
                else f"grouped: now {len(e['posts'])} posts")
        return f"{at}  incident #{e['incident']} {what}"
    if e["event"] == "acknowledged":
        return f"{at}  incident #{e['incident']} acknowledged by {e['member']}"
    return f"{at}  incident #{e['incident']} {e['event']} {e['member']} (step {e['step'] + 1}, {e['channel']})"


def _write(out: Path, result: dict, config) -> None:
    lines = [_line(config, e) for e in result["events"]]
    (out / "timeline.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (out / "timeline.jsonl").open("w", encoding="utf-8") as fh:
        for e in result["events"]:
            fh.write(json.dumps({**e, "at": iso(e["at"])}, ensure_ascii=False) + "\n")
    (out / "unanswered.json").write_text(json.dumps(result["unanswered"], ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    if "score" in result:
        (out / "score.json").write_text(json.dumps(result["score"], ensure_ascii=False, indent=2, default=iso),
                                        encoding="utf-8")
    result["out"] = str(out)
