"""Time from a threat mention stored to the first notification accepted by a real SMTP
server on loopback (classify → detect → escalate), p50 and p95; and detection over a
spike of 10,000 classified mentions in one minute. The baseline is one bare Apprise
e-mail to the same server (the floor of any page).

    python bench/alerting.py [--runs 20] [--spike 10000]
"""
import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._util import peak_rss_mb, report  # noqa: E402
from replay.mailbox import SMTPSink  # noqa: E402
from escucha import pipeline  # noqa: E402
from escucha.config import parse  # noqa: E402
from escucha.records import Author, Classification, Mention, parse_time  # noqa: E402
from escucha.store import SQLiteStore  # noqa: E402


def config(smtp, path):
    os.environ["BENCH_EMAIL"] = smtp.url_for("ana@example.org")
    os.environ["BENCH_SECRET"] = secrets.token_urlsafe(24)
    cfg = parse({"institution": {"name": "bench"},
                 "accounts": [{"platform": "x", "handle": "@IEN_Oficial"}],
                 "committee": {"members": [{"id": "ana", "name": "Ana", "contacts": [{"url_env": "BENCH_EMAIL"}]}]},
                 "escalation": {"policies": [{"name": "c", "severities": ["critical"],
                                              "steps": [{"notify": "member:ana", "wait_minutes": 5}]}]},
                 "links": {"secret_env": "BENCH_SECRET"}}, env=os.environ)
    return replace(cfg, store_path=path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--spike", type=int, default=10_000)
    a = ap.parse_args()
    now = parse_time("2026-11-14T23:00:00Z")
    with SMTPSink() as smtp, tempfile.TemporaryDirectory() as tmp:
        cfg = config(smtp, os.path.join(tmp, "a.db"))
        store = SQLiteStore(cfg.store_path)
        pipeline.classify_new(cfg, store)  # load the model outside the timing
        import apprise

        floor = []
        for _ in range(5):
            t0 = time.perf_counter()
            ap_ = apprise.Apprise()
            ap_.add(smtp.url_for("ana@example.org"))
            ap_.notify("x", title="x")
            floor.append(time.perf_counter() - t0)
        latencies = []
        for i in range(a.runs):
            n_before = len(smtp.messages)
            t0 = time.perf_counter()
            store.upsert_mentions([Mention("x", f"t{i}", f"El domingo va a haber sangre en la casilla {i}",
                                           Author(f"malo{i}"), now, accounts=("x:@IEN_Oficial",))])
            pipeline.classify_new(cfg, store)
            pipeline.detect_incidents(cfg, store, now)
            pipeline.escalate(cfg, store, now)
            while len(smtp.messages) == n_before:
                time.sleep(0.001)
            latencies.append(time.perf_counter() - t0)
        p50 = statistics.median(latencies)
        p95 = sorted(latencies)[max(0, int(round(0.95 * len(latencies))) - 1)]

        # A spike: 10,000 negative mentions of one account within one minute.
        spike_store = SQLiteStore(os.path.join(tmp, "s.db"))
        ms = [Mention("x", f"s{i}", f"queja {i}", Author(f"u{i % 500}"), now + timedelta(seconds=i * 60 / a.spike),
                      accounts=("x:@IEN_Oficial",)) for i in range(a.spike)]
        spike_store.upsert_mentions(ms)
        spike_store.save_classifications([Classification(m.id, "bench", {}, {"sentiment": "negative"}) for m in ms])
        t0 = time.perf_counter()
        res = pipeline.detect_incidents(cfg, spike_store, now + timedelta(minutes=2))
        spike_s = time.perf_counter() - t0
        assert res["opened"], "the spike must open an incident"
    report("alerting_threat_to_first_page", p50, "s", statistics.median(floor), p95_s=round(p95, 3),
           runs=a.runs, spike_mentions=a.spike, spike_detection_s=round(spike_s, 2), peak_rss_mb=peak_rss_mb(),
           baseline_is="one bare Apprise e-mail to the same SMTP server")


if __name__ == "__main__":
    main()
