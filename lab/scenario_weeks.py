"""Build the bundled scenario weeks (replay/scenarios/) from their specs (lab/data/scenarios/).

A spec is TOML: the week (``[scenario]``), the routine traffic (``[[routine]]``: posts a
day, hours, texts, and the share the institution answers) and the scripted events
(``[[event]]``: incidents, and the hard negatives a real week holds, with ``kind = "none"``).
Texts are data, written for these weeks; none comes from a test suite or a data set the
classifiers learn from, and the classifiers never learn from these. The build is seeded:
``python -m lab.scenario_weeks`` rewrites the same files.

For each spec NAME it writes ``replay/scenarios/NAME.jsonl`` (the scenario format) and
``NAME.truth.json`` (the incidents, and the posts that need an answer).
"""
from __future__ import annotations

import json
import random
import sys
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "lab" / "data" / "scenarios"
OUT = ROOT / "replay" / "scenarios"
SYLLABLES = ["ma", "ri", "lo", "pe", "sa", "to", "ne", "ka", "di", "lu", "ra", "mo", "che", "vi", "no", "ta", "gu",
             "be", "la", "fe", "so", "ju", "an", "el", "is", "ou", "ba", "ze", "ni", "co"]


class Week:
    def __init__(self, spec: dict):
        s = spec["scenario"]
        self.spec = spec
        self.rnd = random.Random(s.get("seed", 1))
        self.start = datetime.fromisoformat(s["start"])
        self.days = s.get("days", 7)
        self.own = s["own"]
        self.posts: list[dict] = []
        self.truth: dict[str, list[str]] = {}
        self.needs_answer: list[str] = []
        self.handles: set[str] = set()

    def author(self, followers=None, handle=None) -> dict:
        if handle is None:
            while True:
                name = "".join(self.rnd.choice(SYLLABLES) for _ in range(self.rnd.randint(2, 4)))
                handle = f"{name}{self.rnd.choice(['', '_', '_mx', '22', '_ok', '7', 'xx', '_real'])}"[:15]
                if handle not in self.handles:
                    break
        self.handles.add(handle)
        f = followers if followers is not None else int(self.rnd.lognormvariate(5, 1.5))
        return {"handle": handle, "name": handle.replace("_", " ").title(), "followers": f}

    def at(self, day: float, hour: float) -> datetime:
        return self.start + timedelta(days=day, hours=hour)

    def post(self, author: dict, text: str, when: datetime, lang: str, own=False, **extra) -> dict:
        p = {"id": "", "time": when, "text": text, "author": author, "lang": lang, **extra}
        if own:
            p["own"] = True
            p.setdefault("source", self.spec["scenario"].get("own_client", "Hootsuite Inc."))
        p["metrics"] = {"likes": self.rnd.randint(0, 30), "reposts": self.rnd.randint(0, 5),
                        "replies": self.rnd.randint(0, 3)}
        self.posts.append(p)
        return p

    def own_author(self, handle=None) -> dict:
        h = handle or self.own
        return {"handle": h, "name": self.spec["scenario"].get("own_name", h), "followers":
                self.spec["scenario"].get("own_followers", 250_000)}

    def routine(self, r: dict) -> None:
        for day in range(self.days):
            n = max(0, round(self.rnd.gauss(r["per_day"], r["per_day"] ** 0.5 / 2)))
            for _ in range(n):
                when = self.at(day, self.rnd.uniform(*r.get("hours", [7, 23])))
                text = self.rnd.choice(r["texts"])
                if r["kind"] == "own":
                    self.post(self.own_author(r.get("handle")), text, when, r.get("lang", "es"), own=True)
                    continue
                if r.get("mention", True) and f"@{self.own}".lower() not in text.lower():
                    text = f"@{self.own} {text}" if self.rnd.random() < 0.6 else f"{text} @{self.own}"
                p = self.post(self.author(), text, when, r.get("lang", "es"))
                if r.get("needs_answer"):
                    self.needs_answer.append(p)
                if r.get("answers") and self.rnd.random() < r.get("answer", 0.0):
                    later = when + timedelta(hours=self.rnd.uniform(0.5, 20))
                    self.post(self.own_author(), self.rnd.choice(r["answers"]), later, r.get("lang", "es"),
                              own=True, reply_to=p)

    def event(self, e: dict) -> None:
        day, hour = e["start"]
        when = self.at(day, hour)
        authors = [self.author() for _ in range(e.get("authors", e.get("count", 1)))]
        texts = e["texts"]
        big = e.get("high_reach")
        mine = []
        lead = None
        if e.get("lead"):  # a post by the person the event is about: not part of the incident
            ld = e["lead"]
            who = {**self.author(ld.get("followers", 5000), ld["handle"]), "name": ld.get("name", ld["handle"])}
            lead = self.post(who, ld["text"], when, e.get("lang", "es"))
            when += timedelta(minutes=self.rnd.uniform(10, 40))
        for i in range(e.get("count", len(texts))):
            if e.get("by_own"):
                author = self.own_author()
            elif big and i == big["at"]:
                author = self.author(big["followers"])
            else:
                author = authors[i % len(authors)]
            extra = {}
            if e.get("source"):
                extra["source"] = e["source"]
            if lead is not None and e.get("replies", 0) > self.rnd.random():
                extra["reply_to"] = lead
            text = texts[i % len(texts)]
            # Posts about the institution mostly name its account (that is how they are collected).
            if not e.get("by_own") and self.rnd.random() < e.get("mention", 0.9) and f"@{self.own}".lower() not in text.lower():
                text = f"@{self.own} {text}" if self.rnd.random() < 0.5 else f"{text} @{self.own}"
            p = self.post(author, text, when, e.get("lang", "es"), own=bool(e.get("by_own")), **extra)
            mine.append(p)
            if e.get("needs_answer"):  # e.g. reports of an outage: problems to act on
                self.needs_answer.append(p)
            for _ in range(e.get("reposts", 0) if i == 0 else 0):
                mine.append(self.post(self.author(), "", when + timedelta(minutes=self.rnd.uniform(3, 40)),
                                      e.get("lang", "es"), repost_of=p))
            gap = e.get("every_minutes", [20, 60])
            when += timedelta(minutes=self.rnd.uniform(*gap))
        if e.get("kind", "none") != "none":
            self.truth.setdefault(e["id"], []).extend(mine)
        if e.get("own_reply"):
            self.post(self.own_author(), e["own_reply"], when + timedelta(minutes=e.get("own_after_minutes", 90)),
                      e.get("lang", "es"), own=True)

    def build(self) -> tuple[list[str], dict]:
        for r in self.spec.get("routine", []):
            self.routine(r)
        for e in self.spec.get("event", []):
            self.event(e)
        self.posts.sort(key=lambda p: p["time"])
        for i, p in enumerate(self.posts, 1):
            p["id"] = f"p{i}"
        s = self.spec["scenario"]
        header = {"name": s["name"], "config": s["config"], "description": s.get("description", ""),
                  "start": self.start.isoformat(), "end": self.at(self.days, 0).isoformat()}
        lines = [json.dumps({"scenario": header}, ensure_ascii=False)]
        for p in self.posts:
            out = {k: v for k, v in p.items() if v not in ("", None)}
            out["time"] = p["time"].isoformat()
            for ref in ("reply_to", "repost_of"):
                if ref in out:
                    out[ref] = out[ref]["id"]
            if out.get("repost_of"):
                out.pop("text", None)
            lines.append(json.dumps(out, ensure_ascii=False))
        kinds = {e["id"]: e for e in self.spec.get("event", [])}
        truth = {"incidents": [{"id": k, "kind": kinds[k]["kind"], "what": kinds[k].get("what", ""),
                                "posts": [p["id"] for p in v]} for k, v in self.truth.items()],
                 "needs_answer": [p["id"] for p in self.needs_answer]}
        return lines, truth


def build(name: str) -> Path:
    spec = tomllib.loads((SPECS / f"{name}.toml").read_text(encoding="utf-8"))
    lines, truth = Week(spec).build()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (OUT / f"{name}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def main(argv=None) -> None:
    names = (argv or sys.argv[1:]) or sorted(p.stem for p in SPECS.glob("*.toml"))
    for name in names:
        path = build(name)
        print(f"{path.relative_to(ROOT)}: {sum(1 for _ in path.open()) - 1} posts")


if __name__ == "__main__":
    main()
