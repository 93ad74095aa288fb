"""A scenario week through `escucha replay` at the production cadence (collect every 5
minutes, escalate every minute), wall seconds. The baseline is the floor under it: the
same week's posts classified in one batch by the same model (what no cadence can avoid).

    python bench/replay.py [--scenario humanitaire-sahel]
"""
import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._util import peak_rss_mb, report  # noqa: E402
from escucha.config import Thresholds  # noqa: E402
from escucha.records import Author, Mention  # noqa: E402
from replay import scenario as scn  # noqa: E402
from replay.run import replay  # noqa: E402

SCENARIOS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "replay", "scenarios")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default="humanitaire-sahel")
    a = ap.parse_args()
    path = os.path.join(SCENARIOS, f"{a.scenario}.jsonl")
    week = scn.load(path)
    from classifiers.scorer import Scorer

    scorer = Scorer(Thresholds())
    scorer.score([Mention("b", "0", "warm up", Author("b"), datetime.now(timezone.utc))])
    start = time.perf_counter()
    batch = [Mention("b", p.id, p.text, Author(p.handle), p.time) for p in week.posts]
    Scorer(Thresholds(), encoder=None).score(batch)  # a fresh scorer: no cached embeddings
    floor = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        res = replay(path, out=out, expected=path.replace(".jsonl", ".truth.json"), echo=lambda *_: None)
        took = time.perf_counter() - start
    score = res["score"]
    report("replay_week", took, "s", floor, scenario=a.scenario, posts=len(week.posts), found=score["found"],
           of=score["of"], in_time=score["in_time"], false_incidents=len(score["false_incidents"]),
           peak_rss_mb=peak_rss_mb())


if __name__ == "__main__":
    main()
