"""Benchmark the embedded store (Qdrant Edge) on synthetic data shaped like ours.

384-d normalised dense vectors, sparse vectors of ~60 Zipf-distributed term ids, the filter
fields as payload. Each size is built in one child process and reopened and queried in a fresh
one, so reopen time and RSS are what a restarted server would see.

    .venv/bin/python -m eval.store_bench [--sizes 2000,10000,30000] [--queries 200]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from index.edge import EdgeStore
from index.store import Point, Query, SparseVector, point_id

DIM = 384
VOCAB = 50_000
TERMS_PER_DOC = 60
TERMS_PER_QUERY = 8
BATCH = 1_000
WARMUP = 20
# One province in 20: a ~5% filter, as selective as "documents of one province".
FILTER = {"province": "p3"}
FUSIONS = ("rrf", "wrrf", "dbsf", "linear")


def _zipf_cdf() -> np.ndarray:
    weights = 1.0 / np.arange(1, VOCAB + 1) ** 1.1
    return np.cumsum(weights / weights.sum())


def _sparse_rows(rng: np.random.Generator, cdf: np.ndarray, n: int, terms: int) -> list[SparseVector]:
    # Draw extra ids because common terms repeat; keep the first `terms` distinct ones.
    draws = np.searchsorted(cdf, rng.random((n, terms * 2)))
    rows = []
    for row in draws:
        ids = np.unique(row)[:terms]
        rows.append(SparseVector(ids.tolist(), rng.uniform(0.5, 3.0, len(ids)).tolist()))
    return rows


def _dense_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    m = rng.normal(size=(n, DIM)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def _points(start: int, count: int, seed: int) -> list[Point]:
    rng = np.random.default_rng(seed)
    dense = _dense_rows(rng, count)
    sparse = _sparse_rows(rng, _zipf_cdf(), count, TERMS_PER_DOC)
    out = []
    for j in range(count):
        i = start + j
        payload = {
            "doc_id": f"doc{i // 50}",
            "doc_type": f"t{i % 5}",
            "issuer": f"issuer{i % 7}",
            "province": f"p{i % 20}",
            "year": 2010 + i % 16,
            "source": f"corpus/doc{i // 50}.pdf",
            "text": "x" * 400,  # a chunk's text rides in the payload too
        }
        out.append(Point(point_id(f"c{i}"), dense[j].tolist(), sparse[j], payload))
    return out


def _status_mb() -> dict[str, float]:
    """VmRSS (resident), VmHWM (peak resident) and RssAnon (resident minus mmapped files, which
    the kernel can drop under pressure) in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def build(n: int, path: Path) -> dict[str, Any]:
    gen_s = 0.0
    insert_s = 0.0
    store = EdgeStore(path)
    store.ensure_collection(DIM)
    for start in range(0, n, BATCH):
        t = time.perf_counter()
        batch = _points(start, min(BATCH, n - start), seed=start)
        gen_s += time.perf_counter() - t
        t = time.perf_counter()
        store.upsert(batch)
        insert_s += time.perf_counter() - t
    t = time.perf_counter()
    store.close()
    insert_s += time.perf_counter() - t
    return {"insert_s": insert_s, "points_per_s": n / insert_s, "build_peak_mb": _status_mb()["VmHWM"]}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000


def probe(n: int, path: Path, queries: int) -> dict[str, Any]:
    t = time.perf_counter()
    store = EdgeStore(path)
    reopen_s = time.perf_counter() - t
    assert store.count() == n, (store.count(), n)
    rng = np.random.default_rng(12345)
    dense = _dense_rows(rng, queries + WARMUP)
    sparse = _sparse_rows(rng, _zipf_cdf(), queries + WARMUP, TERMS_PER_QUERY)

    def timed(fusion: str, filters: dict[str, Any]) -> tuple[float, float]:
        samples = []
        for i in range(queries + WARMUP):
            q = Query(dense=dense[i].tolist(), sparse=sparse[i], k=10, filters=filters, fusion=fusion)  # type: ignore[arg-type]
            t0 = time.perf_counter()
            hits = store.search(q)
            if i >= WARMUP:
                samples.append(time.perf_counter() - t0)
            assert hits
        return _percentiles(samples)

    result: dict[str, Any] = {"reopen_s": reopen_s}
    result["hybrid"] = timed("rrf", {})
    result["hybrid_filter"] = timed("rrf", FILTER)
    result["fusion_p50"] = {f: timed(f, {})[0] for f in FUSIONS}
    result["rss_mb"] = _status_mb()["VmRSS"]
    result["anon_mb"] = _status_mb()["RssAnon"]
    store.close()
    return result


def _child(phase: str, n: int, path: Path, queries: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "eval.store_bench", "--phase", phase, "--n", str(n), "--path", str(path)]
    cmd += ["--queries", str(queries)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,10000,30000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--phase", choices=["build", "probe"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "build":
        print(json.dumps(build(args.n, args.path)))
        return
    if args.phase == "probe":
        print(json.dumps(probe(args.n, args.path, args.queries)))
        return

    sizes = [int(s) for s in args.sizes.split(",") if s]
    header = (
        f"{'points':>7} | {'insert pts/s':>12} | {'reopen s':>8} | {'hybrid p50/p95 ms':>17} | "
        f"{'+5% filter p50/p95':>18} | {'p50 rrf/wrrf/dbsf/linear ms':>27} | {'RSS (anon) MB':>13} | {'build peak MB':>13}"
    )
    print(header)
    print("-" * len(header))
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="store_bench_") as tmp:
            path = Path(tmp) / "shard"
            b = _child("build", n, path, args.queries)
            p = _child("probe", n, path, args.queries)
        fusion = "/".join(f"{p['fusion_p50'][f]:.2f}" for f in FUSIONS)
        print(
            f"{n:>7} | {b['points_per_s']:>12,.0f} | {p['reopen_s']:>8.3f} | "
            f"{p['hybrid'][0]:>8.2f} /{p['hybrid'][1]:>7.2f} | "
            f"{p['hybrid_filter'][0]:>8.2f} /{p['hybrid_filter'][1]:>8.2f} | {fusion:>27} | "
            f"{p['rss_mb']:>6.0f} ({p['anon_mb']:>4.0f}) | {b['build_peak_mb']:>13.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
