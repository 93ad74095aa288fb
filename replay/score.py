"""The truth format, and how a replay is scored against it.

A truth file is JSON::

    {"incidents": [
        {"id": "bomb-hq", "kind": "threat", "posts": ["p118", "p119"], "what": "bomb threat against HQ"},
        {"id": "ballots", "kind": "narrative", "posts": ["p40", "p41", ...], "due": "2026-11-12T16:00:00-06:00"}
     ],
     "needs_answer": ["p3", "p9", ...]}

``kind`` is one of threat, hijack, narrative, spike, campaign; ``posts`` are the scenario
ids that make the incident (any one of them in an incident's evidence matches it);
``due`` is when it became detectable (default: its first post; for a narrative, the post
by which ``narrative_min_size`` authors or one high-reach author carried it) and
``within_minutes`` the goal (default: ``GOALS``). ``needs_answer`` (optional) lists the
posts that ask the institution something or report a problem, answered or not: the
unanswered list at the scenario's end is scored against those of them still unanswered
past the deadline (precision: how much of the list needs an answer; recall: how much of
what needs one it holds).
"""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from escucha.errors import InputError
from escucha.textfiles import read_text

# Minutes from ``due`` to the incident being open: one collection cycle for a threat and a
# takeover, two hours for a narrative, one for a spike, six for a campaign.
GOALS = {"threat": 5, "hijack": 5, "narrative": 120, "spike": 60, "campaign": 360}
INCIDENT_KEYS = {"id", "kind", "posts", "due", "within_minutes", "what"}


def load_truth(path, scenario) -> dict:
    from replay.scenario import _time

    path = Path(path)
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("incidents"), list):
        raise InputError(f"{path}: must be an object with an \"incidents\" list")
    extra = set(data) - {"incidents", "needs_answer", "notes"}
    if extra:
        raise InputError(f"{path}: unknown field(s) {', '.join(sorted(extra))}; must be among incidents, "
                         "needs_answer, notes")
    posts = {p.id: p for p in scenario.posts}
    out, ids = [], set()
    for i, inc in enumerate(data["incidents"]):
        where = f"{path}, incidents[{i}]"
        if not isinstance(inc, dict):
            raise InputError(f"{where}: must be an object")
        if set(inc) - INCIDENT_KEYS:
            raise InputError(f"{where}: unknown field(s) {', '.join(sorted(set(inc) - INCIDENT_KEYS))}")
        if inc.get("kind") not in GOALS:
            raise InputError(f"{where}: kind must be one of {', '.join(GOALS)}; got {inc.get('kind')!r}")
        if not isinstance(inc.get("id"), str) or not inc["id"] or inc["id"] in ids:
            raise InputError(f"{where}: id must be a string no other incident has; got {inc.get('id')!r}")
        refs = inc.get("posts")
        if not isinstance(refs, list) or not refs:
            raise InputError(f"{where}: posts must be a list of scenario post ids")
        missing = [str(r) for r in refs if str(r) not in posts]
        if missing:
            raise InputError(f"{where}: posts {', '.join(missing[:5])} are not in {scenario.path}")
        within = inc.get("within_minutes", GOALS[inc["kind"]])
        if not isinstance(within, (int, float)) or isinstance(within, bool) or within <= 0:
            raise InputError(f"{where}: within_minutes must be a number above 0; got {within!r}")
        ids.add(inc["id"])
        out.append({**inc, "posts": [str(r) for r in refs], "within_minutes": within,
                    "due": _time(path, i, inc["due"], "due") if inc.get("due") else None})
    answers = data.get("needs_answer")
    if answers is not None:
        if not isinstance(answers, list) or any(str(a) not in posts for a in answers):
            raise InputError(f"{path}: needs_answer must list scenario post ids")
        answers = [str(a) for a in answers]
    return {"incidents": out, "needs_answer": answers, "posts": posts}


def _due(inc: dict, posts: dict, config):
    if inc["due"]:
        return inc["due"]
    mine = sorted((posts[p] for p in inc["posts"]), key=lambda p: p.time)
    if inc["kind"] == "narrative":
        d = config.detection
        authors = set()
        for p in mine:
            if not p.repost_of:
                authors.add(p.handle.lower())
            if len(authors) >= d.narrative_min_size or p.followers >= d.high_reach_followers:
                return p.time
    return mine[0].time


def score(truth: dict, result: dict, config) -> dict:
    """Each expected incident: found (an incident of its kind holds one of its posts), the
    lag from ``due``, whether in time, whether grouped as one; then the false incidents (no
    expected post in their evidence), critical pages about what is not a threat, duplicate
    pages (a member paged for one event by two incidents, or twice in one tick), and the
    unanswered list's precision."""
    posts = truth["posts"]
    incidents = result["incidents"]
    expected, matched_any = [], set()
    for exp in truth["incidents"]:
        mine = set(exp["posts"])
        hits = [i for i in incidents if mine & set(i["posts"])]
        matched_any.update(i["id"] for i in hits)
        same = [i for i in hits if i["kind"] == exp["kind"]]
        due = _due(exp, posts, config)
        # When an incident of its kind first held one of its posts (opened with it, or grouped
        # it in later): an incident opened earlier for something else does not count from then.
        first = min((e["at"] for e in result["events"] if e["event"] in ("opened", "grouped")
                     and e["kind"] == exp["kind"] and mine & set(e["posts"])), default=None)
        lag = (first - due).total_seconds() / 60 if first else None
        expected.append({"id": exp["id"], "kind": exp["kind"], "found": bool(same), "incidents": [i["id"] for i in same],
                         "also": [f"#{i['id']} {i['kind']}" for i in hits if i not in same], "due": due,
                         "opened_at": first, "lag_minutes": None if lag is None else round(lag, 1),
                         "in_time": lag is not None and lag <= exp["within_minutes"],
                         "within_minutes": exp["within_minutes"], "grouped": len(same) == 1})
    false = [i for i in incidents if i["id"] not in matched_any]
    kinds = {i["id"]: {e["kind"] for e in truth["incidents"] if set(e["posts"]) & set(i["posts"])} for i in incidents}
    critical_non_threat = sum(
        1 for i in incidents if i["severity"] == "critical" and not kinds[i["id"]] & {"threat", "hijack", "campaign"}
        for p in i["pages"] if p["status"] == "sent")
    duplicates = []
    for exp in truth["incidents"]:
        seen: dict[str, tuple] = {}  # member -> (the first incident that paged them, its message)
        for i in incidents:
            if not set(exp["posts"]) & set(i["posts"]):
                continue
            ticks = set()
            for p in i["pages"]:
                if p["status"] != "sent":
                    continue
                message = p.get("message")
                first = seen.setdefault(p["member"], (i["id"], message))
                if first[0] != i["id"] and not (message and first[1] == message):  # one digest is one message
                    duplicates.append(f"{exp['id']}: {p['member']} paged by #{first[0]} and #{i['id']}")
                elif (p["member"], p["at"]) in ticks:
                    duplicates.append(f"{exp['id']}: {p['member']} paged twice at once by #{i['id']}")
                ticks.add((p["member"], p["at"]))
    out = {"found": sum(e["found"] for e in expected), "in_time": sum(e["in_time"] for e in expected),
           "of": len(expected), "expected": expected,
           "false_incidents": [{"id": i["id"], "kind": i["kind"], "severity": i["severity"], "title": i["title"],
                                "pages": sum(p["status"] == "sent" for p in i["pages"])} for i in false],
           "critical_pages_for_non_threats": critical_non_threat, "duplicate_pages": len(duplicates),
           "duplicates": duplicates}
    if truth["needs_answer"] is not None:
        # What the list should hold at the end: posts that need an answer, got no reply from
        # an own account, and are past the answer deadline.
        cut = result["end"] - timedelta(hours=config.detection.answer_deadline_hours)
        replied = {p.reply_to for p in posts.values() if p.own and p.reply_to}
        listed = set(result["unanswered"])
        needed = {a for a in truth["needs_answer"] if a not in replied and posts[a].time <= cut}
        hit = len(listed & needed)
        out["unanswered"] = {"listed": len(listed), "need_an_answer": len(needed), "correct": hit,
                             "precision": round(hit / len(listed), 3) if listed else None,
                             "recall": round(hit / len(needed), 3) if needed else None}
    out["goals"] = {
        "every incident found in time": out["in_time"] == out["of"],
        "every incident grouped as one": all(e["grouped"] for e in expected if e["found"]),
        "at most one false incident": len(false) <= 1,
        "no critical page for a non-threat": critical_non_threat == 0,
        "no duplicate page": not duplicates,
    }
    if "unanswered" in out and out["unanswered"]["precision"] is not None:
        out["goals"]["unanswered precision at least 0.5"] = out["unanswered"]["precision"] >= 0.5
    return out
