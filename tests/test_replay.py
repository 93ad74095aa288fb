"""`escucha replay`: scenario weeks through the real pipeline on their own clock, scored
against their truth; committee drills; and scenarios a person gets wrong, refused by line."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from escucha.errors import InputError
from replay import scenario as scn
from replay.run import replay

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "replay" / "scenarios"
WEEKS = ("electoral-cl", "salud-pe", "humanitaire-sahel")
T = "2026-10-19T09:00:00-03:00"


def _post(i, **kw):
    p = {"id": f"p{i}", "time": T.replace("09:00", f"09:{i:02d}"), "text": f"pregunta {i} @SEN_Chile",
         "author": {"handle": f"persona{i}"}}
    p.update(kw)
    return p


def _write(tmp_path, lines, name="s.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    return path


# Each: (lines, the words the refusal must hold). 15 bad scenarios.
BAD = [
    ([_post(1, colour="red")], "line 1: unknown field 'colour' in a post"),
    ([_post(1, author={"handle": "a", "age": 3})], "line 1: unknown field 'age' in author"),
    ([_post(1, metrics={"views": 3})], "line 1: unknown field 'views' in metrics"),
    ([_post(1, time="2026-10-19 09:00")], "line 1: time must be an ISO-8601 time with its offset"),
    ([_post(1, time="2026-10-19T09:00:00")], "line 1: time must say its offset"),
    ([_post(1, time="yesterday")], "line 1: time must be an ISO-8601 time"),
    ([_post(2), _post(1)], "line 2: time 2026-10-19T09:01:00-03:00 is earlier than line 1's: lines must be in time"),
    ([_post(1, reply_to="p9")], "line 1: reply_to names 'p9', which no earlier line holds"),
    ([_post(1), _post(2, id="p1")], "line 2: id 'p1' is used already, on line 1"),
    (["{not json"], "line 1: not valid JSON"),
    (["[1, 2]"], "line 1: must be a JSON object; got list"),
    ([_post(1, text="")], "line 1: text is required"),
    ([_post(1, author={"handle": "a b"})], "line 1: author.handle must be letters, digits and _"),
    ([_post(1, metrics={"likes": -2})], "line 1: metrics.likes must be a whole number from 0; got -2"),
    ([_post(1), {"scenario": {"name": "late"}}], "line 2: the scenario line must be the first line"),
]


@pytest.mark.parametrize("lines,words", BAD, ids=[w.split(": ", 1)[1][:40] for _, w in BAD])
def test_a_bad_scenario_is_refused_with_its_line(tmp_path, lines, words):
    with pytest.raises(InputError) as exc:
        scn.load(_write(tmp_path, lines))
    assert words in str(exc.value)


def test_own_posts_must_be_the_configurations_accounts(tmp_path):
    s = scn.load(_write(tmp_path, [_post(1, own=True)]))
    with pytest.raises(InputError, match="line 1: own is true but @persona1 is not one of the configuration's"):
        scn.check_own(s, {"sen_chile"})
    s = scn.load(_write(tmp_path, [_post(1, author={"handle": "SEN_Chile"})]))
    with pytest.raises(InputError, match='line 1: @SEN_Chile is one of the configuration\'s accounts: mark the post'):
        scn.check_own(s, {"sen_chile"})


def test_the_command_line_names_the_bad_line_without_a_traceback(tmp_path):
    path = _write(tmp_path, [_post(1), _post(2, repost_of="p7")])
    truth = tmp_path / "t.json"
    truth.write_text('{"incidents": [{"id": "x", "kind": "rumour", "posts": ["p1"]}]}', encoding="utf-8")
    cfg = SCENARIOS / "electoral-cl.toml"
    for args, words in (([str(path)], "line 2: repost_of names 'p7', which no earlier line holds"),
                        ([str(_write(tmp_path, [_post(1)], "ok.jsonl")), "--expected", str(truth)],
                         "kind must be one of threat, hijack, narrative, spike, campaign; got 'rumour'"),
                        ([str(tmp_path / "missing.jsonl")], "missing.jsonl: file not found")):
        r = subprocess.run([sys.executable, "-m", "escucha.cli", "replay", *args, "--config", str(cfg),
                            "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
        assert r.returncode != 0 and words in r.stderr and "Traceback" not in r.stderr, r.stderr


@pytest.fixture(scope="module")
def weeks(tmp_path_factory):
    """The three bundled weeks, replayed once each with their truth."""
    out = {}
    for name in WEEKS:
        res = replay(SCENARIOS / f"{name}.jsonl", out=tmp_path_factory.mktemp(name),
                     expected=SCENARIOS / f"{name}.truth.json", echo=lambda *_: None)
        out[name] = res
    return out


def _expected(name):
    return [(name, e["id"]) for e in json.loads((SCENARIOS / f"{name}.truth.json").read_text())["incidents"]]


# Incidents escucha does not find in time today, each with why. A fix turns its case into
# an unexpected pass, which fails (strict) until it is taken off this list.
KNOWN_MISSES = {
    ("humanitaire-sahel", "riz-revendu"): "its posts get no claim label (check-worthiness rules, English)",
}


@pytest.mark.parametrize("name,expected", [x for n in WEEKS for x in _expected(n)], ids=lambda v: str(v))
def test_every_expected_incident_is_found_in_time(weeks, name, expected):
    score = weeks[name]["score"]
    e = next(e for e in score["expected"] if e["id"] == expected)
    if (name, expected) in KNOWN_MISSES:
        assert not (e["found"] and e["in_time"]), "found now: take it off KNOWN_MISSES"
        pytest.xfail(KNOWN_MISSES[(name, expected)])
    assert e["found"] and e["in_time"], e


# Goals of the week (replay/score.py) not met today, with why; strict as above.
KNOWN_GOAL_FAILURES = {
    ("electoral-cl", "every incident grouped as one"): "two wordings of the rumour are two narratives",
    ("electoral-cl", "no duplicate page"): "the rumour's two narratives page the same member",
    ("humanitaire-sahel", "no duplicate page"): "a rumour post is also a possible threat (#26): two pages",
}


@pytest.mark.parametrize("name,goal", [(n, g) for n in WEEKS for g in (
    "at most one false incident", "no critical page for a non-threat", "every incident grouped as one",
    "no duplicate page", "unanswered precision at least 0.5")], ids=lambda v: str(v))
def test_the_weeks_goals(weeks, name, goal):
    met = weeks[name]["score"]["goals"][goal]
    if (name, goal) in KNOWN_GOAL_FAILURES:
        assert not met, "met now: take it off KNOWN_GOAL_FAILURES"
        pytest.xfail(KNOWN_GOAL_FAILURES[(name, goal)])
    assert met, weeks[name]["score"]


def test_the_timeline_and_score_are_written(weeks):
    res = weeks["humanitaire-sahel"]
    out = Path(res["out"])
    lines = (out / "timeline.txt").read_text(encoding="utf-8").splitlines()
    assert any("opened [critical]" in x for x in lines) and any("acknowledged by" in x for x in lines)
    assert any(" paged " in x and "mailto://" in x and "@" not in x.split("mailto://")[1].split("/")[0]
               for x in lines), "pages name the channel, masked"
    events = [json.loads(x) for x in (out / "timeline.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {e["event"] for e in events} >= {"opened", "grouped", "paged", "acknowledged"}
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    score = json.loads((out / "score.json").read_text(encoding="utf-8"))
    assert score["of"] == 5 and set(score["goals"]) >= {"no critical page for a non-threat"}


def test_a_threat_pages_in_the_collection_cycle_it_is_posted_in(weeks):
    for name, res in weeks.items():
        for e in res["score"]["expected"]:
            if e["kind"] == "threat" and e["found"]:
                assert e["lag_minutes"] <= 5, (name, e)
                inc = next(i for i in res["incidents"] if i["id"] == e["incidents"][0])
                assert inc["severity"] == "critical" and inc["pages"][0]["at"] == inc["opened_at"]


def test_a_drill_pages_the_committee_marked_simulacro_and_nobody_else(tmp_path, smtp, monkeypatch):
    week = [{"scenario": {"name": "drill", "config": str(SCENARIOS / "electoral-cl.toml")}},
            _post(1, text="El domingo vamos a poner una bomba en el local de votación del Liceo 3 @SEN_Chile")]
    path = _write(tmp_path, week)
    people = {"CAROLINA": "carolina@sen.example.cl", "IGNACIO": "ignacio@sen.example.cl",
              "PABLO": "pablo@sen.example.cl"}
    for who, address in people.items():
        monkeypatch.setenv(f"SEN_{who}_EMAIL", smtp.url_for(address))
    res = replay(path, out=tmp_path / "out", drill=True, echo=lambda *_: None)
    assert res["emails"] == 0, "a drill's pages go to the configured channels, not the replay's mailbox"
    assert smtp.messages, "the committee was paged"
    for msg in smtp.messages:
        assert msg["Subject"].startswith("[SIMULACRO]")
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert body.startswith("SIMULACRO / DRILL") and body.rstrip().endswith("not a real incident.")
    reached = {r for _, rcpts in smtp.envelopes for r in rcpts}
    assert reached and reached <= set(people.values())
    # Without --drill the same week never reaches the configured channels.
    before = len(smtp.messages)
    res = replay(path, out=tmp_path / "out2", echo=lambda *_: None)
    assert res["emails"] >= 1 and len(smtp.messages) == before


def test_a_drill_needs_the_committees_real_channels(tmp_path, monkeypatch):
    for who in ("CAROLINA", "IGNACIO", "PABLO"):
        monkeypatch.delenv(f"SEN_{who}_EMAIL", raising=False)
    path = _write(tmp_path, [{"scenario": {"config": str(SCENARIOS / "electoral-cl.toml")}}, _post(1)])
    from escucha.errors import ConfigError

    with pytest.raises(ConfigError, match="SEN_CAROLINA_EMAIL is not set"):
        replay(path, out=tmp_path / "out", drill=True, echo=lambda *_: None)


def test_one_digest_about_one_event_is_one_page_two_messages_are_two(config):
    from datetime import datetime, timezone

    from replay.score import score

    at = datetime(2026, 11, 10, 9, tzinfo=timezone.utc)
    truth = {"posts": {}, "needs_answer": None,
             "incidents": [{"id": "e", "kind": "threat", "posts": ["p1"], "due": at, "within_minutes": 10}]}

    def result(messages):
        pages = [{"member": "ana", "status": "sent", "at": at, "message": m} for m in messages]
        return {"events": [], "incidents": [
            {"id": n + 1, "kind": kind, "severity": "high", "title": "", "posts": ["p1"], "pages": [pages[n]]}
            for n, kind in enumerate(("threat", "narrative"))]}

    assert score(truth, result(["ana|mailto|t|1,2", "ana|mailto|t|1,2"]), config)["goals"]["no duplicate page"]
    assert not score(truth, result(["1|ana|mailto|t", "2|ana|mailto|t"]), config)["goals"]["no duplicate page"]
