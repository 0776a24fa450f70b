"""Answer benchmark: correct-and-cited, abstention, wrong answers, latency; ALQAC gold spans.

    .venv/bin/python -m eval.answers [--sets project,legal,alqac] [--http]

On eval/questions.json:
- correct: an expected phrase (any of "answer") is in the answer text (accent/tone-insensitive);
- cited: a citation points at the gold document (or one that also answers) and its quote
  holds the evidence phrase or an expected phrase;
- abstention: share of out-of-corpus questions answered with grounded=false;
- wrong: grounded answers to in-corpus questions that are not correct, plus grounded answers
  to out-of-corpus questions (confident answers where the documents say nothing).
Latency of the chat service in-process, and with --http of POST /api/chat (JSON) and of the
first Server-Sent Event, against the real app served by uvicorn on loopback.
On eval/legal_spans.json (legal questions a helper wrote without seeing the answerer): how often
the answer holds the gold span and a citation quotes it. On ALQAC: how often the answer holds the
gold span.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict

from eval.common import REPO, alqac_corpus, norm, pct, services_for, table


def judge(q: dict, payload: dict) -> dict:
    answer = norm(payload["answer"])
    expected = [norm(a) for a in (q.get("answer") or [])]
    if q.get("answer_all"):
        correct = all(norm(a) in answer for a in q["answer_all"])
    else:
        correct = any(e and e in answer for e in expected)
    docs = {q["doc"], *(q.get("also_docs") or [])} if q.get("doc") else set()
    phrases = [norm(q["evidence"])] + expected if q.get("evidence") else expected
    cited = any(c["source"] in docs and any(p and p in norm(c["quote"]) for p in phrases)
                for c in payload["citations"])
    return {"correct": correct, "cited": cited, "grounded": payload["grounded"]}


def run_project(services, http_base: str | None) -> None:
    from bot.answer.chat import answer_payload

    data = json.loads((REPO / "eval/questions.json").read_text())
    chat = services.chat
    services.warm_up()  # model, statistics, task table: what `aseanbot serve` loads before serving
    rows: dict[str, list[dict]] = defaultdict(list)
    times: list[float] = []
    failures = []
    for q in data["questions"]:
        t0 = time.perf_counter()
        result = chat.ask(q["question"], None, use_llm=False)
        times.append((time.perf_counter() - t0) * 1000)
        payload = answer_payload(result)
        j = judge(q, payload)
        kind = "ooc" if not q.get("doc") else q["type"]
        rows[kind].append(j)
        if (kind == "ooc" and j["grounded"]) or (kind != "ooc" and not (j["correct"] and j["cited"])):
            failures.append((q["qid"], kind, q["question"], payload["answer"][:160].replace("\n", " "),
                             result.answer.debug))
    out = []
    incorpus = [j for k, v in rows.items() if k != "ooc" for j in v]
    for kind, js in sorted(rows.items()):
        if kind == "ooc":
            continue
        out.append(_row(kind, js))
    out.append(_row("ALL in-corpus", incorpus))
    print(table(out, ["type", "n", "correct", "cited", "correct+cited", "abstained", "wrong"], "project set: answers"))
    ooc = rows.get("ooc", [])
    if ooc:
        abst = sum(1 for j in ooc if not j["grounded"]) / len(ooc)
        print(f"\nout-of-corpus: n={len(ooc)} abstention={abst:.3f} wrong (answered)={1 - abst:.3f}")
    wrong = sum(1 for j in incorpus if j["grounded"] and not j["correct"]) + sum(1 for j in ooc if j["grounded"])
    print(f"wrong-answer rate (confident and wrong, all {len(incorpus) + len(ooc)} questions): "
          f"{wrong / max(1, len(incorpus) + len(ooc)):.3f}")
    print(f"chat in-process latency: p50 {pct(times, .5):.1f} ms, p95 {pct(times, .95):.1f} ms")
    print("\nfailures:")
    for f in failures:
        print("  ", f[0], f[1], "|", f[2], "\n       →", f[3], "\n       ", {k: v for k, v in f[4].items() if k != "missing"},
              "missing:", f[4].get("missing"))
    if http_base:
        http_latency(http_base, [q["question"] for q in data["questions"]])


def _row(kind: str, js: list[dict]) -> dict:
    n = len(js)
    return {
        "type": kind, "n": n,
        "correct": sum(j["correct"] for j in js) / n,
        "cited": sum(j["cited"] for j in js) / n,
        "correct+cited": sum(j["correct"] and j["cited"] for j in js) / n,
        "abstained": sum(not j["grounded"] for j in js) / n,
        "wrong": sum(j["grounded"] and not j["correct"] for j in js) / n,
    }


def http_latency(base: str, questions: list[str]) -> None:
    import httpx

    json_ms, first_ms = [], []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post("/api/chat", json={"message": "khởi động"})
        for q in questions:
            t0 = time.perf_counter()
            r = client.post("/api/chat", json={"message": q})
            r.raise_for_status()
            json_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            with client.stream("POST", "/api/chat", json={"message": q}, headers={"Accept": "text/event-stream"}) as s:
                got_first = False
                for line in s.iter_lines():  # read to the end: the stream is one request
                    if line.startswith("data:") and not got_first:
                        first_ms.append((time.perf_counter() - t0) * 1000)
                        got_first = True
    print(f"HTTP /api/chat JSON: p50 {pct(json_ms, .5):.1f} ms, p95 {pct(json_ms, .95):.1f} ms (n={len(json_ms)})")
    print(f"HTTP /api/chat first SSE event: p50 {pct(first_ms, .5):.1f} ms, p95 {pct(first_ms, .95):.1f} ms")


def run_alqac() -> None:
    from bot.answer.chat import answer_payload

    corpus, rows = alqac_corpus()
    services, _ = services_for("alqac", corpus)
    chat = services.chat
    hit = grounded = 0
    times = []
    for r in rows:
        t0 = time.perf_counter()
        payload = answer_payload(chat.ask(r["question"], None, use_llm=False))
        times.append((time.perf_counter() - t0) * 1000)
        grounded += payload["grounded"]
        hit += norm(r["answer"]) in norm(payload["answer"])
    n = len(rows)
    print(f"\nALQAC answers: gold span in answer {hit / n:.3f} (n={n}), grounded {grounded / n:.3f}, "
          f"p50 {pct(times, .5):.1f} ms, p95 {pct(times, .95):.1f} ms")
    services.close()


def run_legal(services) -> None:
    """eval/legal_spans.json: legal questions written by a helper who never saw the answerer; the
    answer holds the gold span, and a citation quotes the evidence (or the span) from its document."""
    from bot.answer.chat import answer_payload

    path = REPO / "eval/legal_spans.json"
    if not path.exists():
        return
    rows = json.loads(path.read_text())["questions"]
    by_style: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
    for q in rows:
        payload = answer_payload(services.chat.ask(q["question"], None, use_llm=False))
        hit = norm(q["answer"]) in norm(payload["answer"])
        cited = any(c["source"] == q["doc"] and (norm(q["evidence"]) in norm(c["quote"]) or norm(q["answer"]) in norm(c["quote"]))
                    for c in payload["citations"])
        for key in (q.get("style", "-"), "ALL"):
            by_style[key].append((hit, hit and cited, payload["grounded"]))
    out = [{"style": k, "n": len(v), "span in answer": sum(a for a, _, _ in v) / len(v),
            "span+cited": sum(b for _, b, _ in v) / len(v), "grounded": sum(c for _, _, c in v) / len(v)}
           for k, v in sorted(by_style.items())]
    print(table(out, ["style", "n", "span in answer", "span+cited", "grounded"], "legal spans (eval/legal_spans.json)"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="project,legal,alqac")
    ap.add_argument("--http", action="store_true", help="also time POST /api/chat over HTTP")
    args = ap.parse_args()
    sets = args.sets.split(",")
    if "legal" in sets:
        services, _ = services_for("corpus", REPO / "corpus")
        run_legal(services)
        services.close()
    if "project" in sets:
        services, _ = services_for("corpus", REPO / "corpus")
        if args.http:
            from bot.http.app import create_app
            from bot.http.serving import serve_in_thread

            # One benchmark client asks hundreds of questions: lift the per-client rate limit.
            app = create_app(services.settings.model_copy(update={"rate_limit_per_minute": 1_000_000}))
            app.state.services = services
            with serve_in_thread(app) as base:
                run_project(services, base)
        else:
            run_project(services, None)
    if "alqac" in sets:
        run_alqac()


if __name__ == "__main__":
    main()
