"""Documents per second bulk-indexed by escucha into a real OpenSearch node, against
opensearch-py's helpers.bulk alone on the same documents in the same run; and mentions
per second upserted and scored into the embedded store and into the search-engine store.

    python bench/index.py [--n 20000]
"""
import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._util import peak_rss_mb, report  # noqa: E402
from escucha.records import Author, Classification, Mention, parse_time  # noqa: E402
from escucha.store import SQLiteStore  # noqa: E402
from stores.mapping import document  # noqa: E402
from stores.opensearch import OpenSearchIndex  # noqa: E402
from tests.conftest import _runner_port  # noqa: E402
from tests.opensearch_node import fetch, start, stop  # noqa: E402


def main():
    from opensearchpy import helpers

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    a = ap.parse_args()
    t0 = parse_time("2026-11-01T00:00:00Z")
    ms = [Mention("x", str(i), f"mensaje {i} sobre la casilla y las boletas del instituto", Author(f"u{i % 900}",
                  followers=i), t0 + timedelta(seconds=30 * i), accounts=("x:@IEN_Oficial",), lang="es")
          for i in range(a.n)]
    cs = [Classification(m.id, "v1", {"sentiment": {"negative": 0.2, "neutral": 0.7, "positive": 0.1}},
                         {"sentiment": "neutral", "threat": "not_threat"}) for m in ms]
    lib = fetch(ROOT / ".cache" / "opensearch")
    base = Path(tempfile.mkdtemp(prefix="escucha-os-bench-"))
    proc, url = start(lib, base / "cluster", _runner_port())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = SQLiteStore(os.path.join(tmp, "b.db"))
            s0 = time.perf_counter()
            store.upsert_mentions(ms)
            store.save_classifications(cs)
            embedded = a.n / (time.perf_counter() - s0)
            # Baseline: helpers.bulk alone, same documents, into an index of the same template.
            raw = OpenSearchIndex(url, prefix="raw")
            raw.setup()
            docs = [{"_index": raw.index_name(m.created_at), "_id": m.id, "_source": document(m, c)}
                    for m, c in zip(ms, cs)]
            b0 = time.perf_counter()
            helpers.bulk(raw.client, docs, chunk_size=500)
            base_rate = a.n / (time.perf_counter() - b0)
            ix = OpenSearchIndex(url, prefix="escucha")
            ix.setup()
            e0 = time.perf_counter()
            res = ix.push(store, limit=a.n)
            rate = a.n / (time.perf_counter() - e0)
            assert res["indexed"] == a.n, res
            again0 = time.perf_counter()
            assert ix.push(store, limit=a.n)["indexed"] == 0
            noop = time.perf_counter() - again0
            # The search engine as the store (store.backend = "opensearch"): scripted upserts,
            # then the scores, each batch refreshed before it returns.
            from stores.search import SearchStore

            ss = SearchStore(url, prefix="store", state_url=f"sqlite:///{tmp}/state.db")
            st0 = time.perf_counter()
            assert ss.upsert_mentions(ms) == a.n
            st1 = time.perf_counter()
            ss.save_classifications(cs)
            search_store = a.n / (time.perf_counter() - st0)
            search_upsert = a.n / (st1 - st0)
    finally:
        stop(proc)
    report("index", rate, "docs/s", base_rate, n=a.n, embedded_store_mentions_per_s=round(embedded),
           search_store_mentions_per_s=round(search_store), search_store_upserts_per_s=round(search_upsert),
           reindex_unchanged_s=round(noop, 2), peak_rss_mb=peak_rss_mb(),
           baseline_is="opensearch-py helpers.bulk alone on the same documents (documents built beforehand)")


if __name__ == "__main__":
    main()
