"""The product at real size: ingest the scale corpus into a fresh home, serve it, time it.

    .venv/bin/python -m eval.scale                 # all 450 documents (a benchmark: ~15-20 min)
    .venv/bin/python -m eval.scale --docs 60       # a subset; figures extrapolated at the end

``../shared/scale-corpus/vbpl`` holds 450 Vietnamese legal documents (DOCX, ~30 M characters).
The run takes the documents the 30 questions of ``eval/scale_questions.json`` are about (written
blind by a helper) plus the first others in name order, up to ``--docs``, copies them into
``<home>/corpus`` (ingest reads regular files only, no symlinks) and then, each step in its own
process, as a user would:

1. ``aseanbot ingest``: wall time, documents / pages / chunks per second, peak RSS (the ingest
   process and, sampled, its whole process tree with the parse children);
2. ``aseanbot serve``: cold start (spawn → ``/healthz`` answers, warm-up included), then every
   question ``--rounds`` times against ``POST /api/search`` (k=5), ``POST /api/chat`` and
   ``GET /api/tasks?q=``: p50 / p95 latency, the search's R@5 (a top-5 chunk of the gold
   document holds the evidence phrase) and the chat's answer hit rate (the answer holds one of
   the gold phrases); the server's peak RSS;
3. the index on disk (the Qdrant shard, the ledger and its parsed documents).

DOCX has no pages: pages are estimated at 3,000 characters a page and marked so.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from eval.common import EVAL_HOME, MODEL_CACHE, REPO, SHARED, norm, pct, table

SCALE = SHARED / "scale-corpus"
QUESTIONS = REPO / "eval" / "scale_questions.json"
CHARS_PER_PAGE = 3000
TARGETS = {"ingest 450 docs (min)": 20, "search p95 (ms)": 30, "chat p95 (ms)": 200, "serve RSS (MB)": 1536,
           "cold start (s)": 10}


def pick_documents(n: int) -> list[Path]:
    every = sorted((SCALE / "vbpl").glob("*.docx"))
    asked = [SCALE / q["doc"] for q in json.loads(QUESTIONS.read_text())["questions"]]
    chosen = list(dict.fromkeys(p for p in asked if p.exists()))[:n]
    chosen += [p for p in every if p not in chosen][: max(0, n - len(chosen))]
    return sorted(chosen)


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
    except psutil.Error:
        return 0


class PeakSampler:
    """Samples a process tree's summed RSS every 0.2 s (the parse children come and go)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, _tree_rss(self.pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _env(home: Path, corpus: Path) -> dict[str, str]:
    # The model is built once per machine (`aseanbot setup`), not per home: the shared cache.
    return {**os.environ, "ASEANBOT_HOME": str(home), "ASEANBOT_CORPUS": str(corpus),
            "ASEANBOT_MODEL_CACHE": str(MODEL_CACHE),
            # The benchmark is one client asking fast; the per-client limit is for the public.
            "ASEANBOT_RATE_LIMIT_PER_MINUTE": "1000000", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1"}


def run_ingest(home: Path, corpus: Path, log: Path) -> dict:
    t0 = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen([str(REPO / ".venv/bin/aseanbot"), "ingest"], env=_env(home, corpus),
                                stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        sampler = PeakSampler(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    tree = sampler.stop()
    if proc.returncode:
        sys.exit(f"ingest failed ({proc.returncode}); see {log}")
    ledger = json.loads((home / "state/ledger.json").read_text())
    chunks = sum(e.get("chunks") or 0 for e in ledger.values())
    chars = 0
    for e in ledger.values():
        doc = home / "state/documents" / f"{e['doc_id']}.json"
        try:
            chars += len(json.loads(doc.read_text()).get("text", ""))
        except (OSError, ValueError):
            pass
    return {"seconds": seconds, "documents": len(ledger), "chunks": chunks, "chars": chars,
            "pages (est.)": chars / CHARS_PER_PAGE, "rss_mb": usage.ru_maxrss / 1024, "tree_mb": tree / 2**20}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb(pid: int) -> tuple[float, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    field = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if line.startswith("Vm")}
    return int(field["VmHWM"]) / 1024, int(field["VmRSS"]) / 1024


def run_serve(home: Path, corpus: Path, questions: list[dict], rounds: int, log: Path) -> dict:
    import httpx

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    out = log.open("w")
    proc = subprocess.Popen([str(REPO / ".venv/bin/aseanbot"), "serve", "--port", str(port)], env=_env(home, corpus),
                            stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        with httpx.Client(timeout=60) as client:
            while True:
                if proc.poll() is not None:
                    sys.exit(f"serve exited ({proc.returncode}); see {log}")
                try:
                    if client.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - t0 > 300:
                    sys.exit(f"serve did not answer in 300 s; see {log}")
                time.sleep(0.05)
            cold = time.perf_counter() - t0
            rss_started = _peak_rss_mb(proc.pid)[1]
            times: dict[str, list[float]] = {"search": [], "chat": [], "tasks": []}
            found, answered = {}, {}
            for _ in range(rounds):
                for q in questions:
                    t = time.perf_counter()
                    hits = client.post(f"{base}/api/search", json={"query": q["question"], "k": 5}).json()["hits"]
                    times["search"].append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    reply = client.post(f"{base}/api/chat", json={"message": q["question"]}).json()
                    times["chat"].append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    r = client.get(f"{base}/api/tasks", params={"q": q["question"]})
                    times["tasks"].append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, r.text
                    if q["in_index"]:
                        found[q["qid"]] = any(_judge(q, h) for h in hits[:5])
                        text = norm(reply.get("answer", ""))
                        answered[q["qid"]] = any(norm(a) in text for a in q["answer"])
            hwm, rss = _peak_rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()
    n = max(1, len(found))
    return {"cold_s": cold, "rss_started_mb": rss_started, "rss_peak_mb": hwm, "rss_end_mb": rss,
            "times": times, "judged": len(found), "R@5": sum(found.values()) / n, "answer hit": sum(answered.values()) / n}


def _judge(q: dict, hit: dict) -> bool:
    return Path(hit["source"]).name == Path(q["doc"]).name and norm(q["evidence"]) in norm(hit["text"])


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.exists() else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=450)
    ap.add_argument("--home", type=Path, default=None, help="default: var/eval/scale-<docs> (emptied first)")
    ap.add_argument("--keep", action="store_true", help="reuse the home as it is (no fresh ingest)")
    ap.add_argument("--rounds", type=int, default=3, help="times each question is asked")
    args = ap.parse_args()
    home = (args.home or EVAL_HOME / f"scale-{args.docs}").absolute()
    corpus = home / "corpus"
    docs = pick_documents(args.docs)
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
        corpus.mkdir(parents=True)
        for p in docs:
            shutil.copyfile(p, corpus / p.name)
    names = {p.name for p in docs}
    questions = json.loads(QUESTIONS.read_text())["questions"]
    for q in questions:
        q["in_index"] = Path(q["doc"]).name in names
    print(f"# scale run: {len(docs)} documents of {SCALE / 'vbpl'} in {home}")
    ing = None
    if not args.keep:
        ing = run_ingest(home, corpus, home / "ingest.log")
        s = ing["seconds"]
        print(f"ingest: {ing['documents']} documents, {ing['chunks']} chunks, {ing['chars'] / 1e6:.1f} M characters "
              f"(≈{ing['pages (est.)']:.0f} pages at {CHARS_PER_PAGE} characters) in {s:.0f} s: "
              f"{ing['documents'] / s:.2f} docs/s, {ing['pages (est.)'] / s:.1f} pages/s, {ing['chunks'] / s:.1f} chunks/s; "
              f"peak RSS {ing['rss_mb']:.0f} MB (ingest process), {ing['tree_mb']:.0f} MB (process tree, sampled)")
    srv = run_serve(home, corpus, questions, args.rounds, home / "serve.log")
    rows = [{"endpoint": name, "n": len(v), "p50 ms": pct(v, 0.5), "p95 ms": pct(v, 0.95), "max ms": max(v)}
            for name, v in srv["times"].items()]
    print(table(rows, ["endpoint", "n", "p50 ms", "p95 ms", "max ms"], f"latency at {len(docs)} documents "
                f"({args.rounds} rounds of {len(questions)} questions)"))
    print(f"\nsearch R@5 {srv['R@5']:.3f}, chat answer hit rate {srv['answer hit']:.3f} "
          f"(over the {srv['judged']} questions whose document is indexed)")
    print(f"cold start {srv['cold_s']:.1f} s; serve RSS {srv['rss_started_mb']:.0f} MB after warm-up, "
          f"peak {srv['rss_peak_mb']:.0f} MB")
    store, state = disk_mb(home / "qdrant"), disk_mb(home / "state")
    print(f"index on disk: store {store:.0f} MB, ledger + parsed documents {state:.0f} MB")
    if ing and len(docs) < 450:
        f = 450 / len(docs)
        print(f"\nextrapolated to 450 documents (linear in documents for ingest and disk): ingest ≈ "
              f"{ing['seconds'] * f / 60:.1f} min, ≈{ing['chunks'] * f:.0f} chunks, store ≈ {store * f:.0f} MB; "
              f"exact search grows with chunks, so search latency here is a lower bound")
    import resource

    print(f"peak memory (max RSS) of this driver: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
