"""Answer benchmark, one command, every set:

    .venv/bin/python -m eval.answers [--sets project,legal,heldout,alqac,viquad] [--http]

Sets:
- project: eval/questions.json (161 in-corpus questions of the team, 35 out-of-corpus);
- legal: eval/legal_spans.json (125 legal questions a helper wrote without seeing the answerer);
- heldout: the TEST split of the verifier's labelled questions (eval/verifier_split.json), asked of
  the pooled corpus the verifier was trained on — documents it never saw in training or tuning;
- alqac: ALQAC's 530 legal questions over its 304 articles (measured, never tuned on);
- viquad: the UIT-ViQuAD 2.0 sample (800 questions over 721 Wikipedia paragraphs, 167 of them
  unanswerable near-misses; measured, never tuned on).

Per set: correct-and-cited (the reply holds the answer and a citation from the gold document
quotes it), refusal rate on unanswerable questions, wrong-answer rate (confident answers that are
wrong, and answers to unanswerable questions, over all questions), gold span in answer, answer
length p50/p95 (answered questions), chat p50/p95 in-process; and the verifier's
precision/recall curve: every question is answered once with the verifier's threshold lifted,
its P recorded, so any threshold's decisions can be read off (those at the shipped threshold are
exactly the product's). With --http, POST /api/chat and the first SSE event are timed on the
project set against the real app over loopback.
"""
from __future__ import annotations

import argparse
import json
import time
from typing import Callable

from eval.common import REPO, alqac_corpus, norm, pct, services_for, table

CURVE = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def judge(q: dict, payload: dict) -> dict:
    """eval/questions.json: an expected phrase in the reply; a citation of the gold document
    quoting the evidence or an expected phrase."""
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
    return {"correct": correct and cited, "span": correct, "answerable": bool(q.get("doc"))}


def _recall(span: str, reply: str) -> float:
    words = span.split()
    have = set(reply.split())
    return sum(w in have for w in words) / max(1, len(words))


def judge_labelled(row: dict, payload: dict) -> dict:
    """The helpers' rows: correct when most of the gold span's words are in the reply (the reply
    is short; the span is often a whole clause) and a citation of the gold document quotes the
    span or lies in the gold passage; a yes/no reply must also say the right word first."""
    if not row["answerable"]:
        return {"correct": False, "span": False, "answerable": False}
    span, reply = norm(row["answer"] or ""), norm(payload["answer"])
    passage = set(norm(row["passage"]).split())
    cited = False
    for c in payload["citations"]:
        if c["source"] != row["doc"]:
            continue
        quote = norm(c["quote"])
        words = quote.split()
        if (span and span in quote) or (words and sum(w in passage for w in words) / len(words) >= 0.8):
            cited = True
    if span in ("co", "khong"):
        ok = reply.startswith(span)
    else:
        ok = span in reply or _recall(span, reply) >= 0.6
    return {"correct": ok and cited, "span": bool(span) and span in reply, "answerable": True}


def judge_span(gold: str | None, payload: dict) -> dict:
    """ALQAC and ViQuAD: the gold span in the reply (no gold: an unanswerable question)."""
    if not gold:
        return {"correct": False, "span": False, "answerable": False}
    hit = norm(gold) in norm(payload["answer"])
    return {"correct": hit, "span": hit, "answerable": True}


def run_set(name: str, services, items: list[tuple[str, Callable[[dict], dict]]], show_failures: int = 0) -> dict:
    """Ask every question once with the threshold lifted; score the shipped threshold and a curve."""
    from bot.answer.chat import answer_payload

    answerer = services.answerer
    shipped = answerer.threshold
    lifted = answerer.verifier is not None
    if lifted:
        answerer.verifier.threshold = 0.0
    records = []
    try:
        for question, judge_fn in items:
            t0 = time.perf_counter()
            result = services.chat.ask(question, None, use_llm=False)
            ms = (time.perf_counter() - t0) * 1000
            payload = answer_payload(result)
            j = judge_fn(payload)
            debug = result.answer.debug
            # A refusal that does not rest on the verifier (no passage, no date of issue) stays one.
            p = debug.get("p", 0.0) if payload["grounded"] else -1.0
            records.append({**j, "p": p, "ms": ms, "len": len(payload["answer"]), "question": question,
                            "reply": payload["answer"], "debug": debug})
    finally:
        if lifted:
            answerer.verifier.threshold = shipped
    row = summarise(name, records, shipped)
    failures = [r for r in records if (r["answerable"] and not (r["p"] >= shipped and r["correct"]))
                or (not r["answerable"] and r["p"] >= shipped)]
    if show_failures:
        print(f"\n{name}: {len(failures)} failures, first {min(show_failures, len(failures))}:")
        for r in failures[:show_failures]:
            d = r["debug"]
            print(f"  {'UNANS' if not r['answerable'] else 'ANS'} p={r['p']:.3f} | {r['question'][:110]}\n"
                  f"     → {r['reply'][:150].replace(chr(10), ' / ')}\n"
                  f"     {d.get('intent')} {d.get('reason', '')}")
    return {"row": row, "curve": [summarise(name, records, t) for t in CURVE], "records": records}


def summarise(name: str, records: list[dict], t: float) -> dict:
    n = len(records)
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    answered = [r for r in records if r["p"] >= t]
    right = [r for r in answered if r["answerable"] and r["correct"]]
    lengths = [r["len"] for r in answered]
    times = [r["ms"] for r in records]
    return {
        "set": name, "n": n, "threshold": t,
        "correct+cited": len(right) / len(answerable) if answerable else float("nan"),
        "refused unans": (sum(r["p"] < t for r in unanswerable) / len(unanswerable)) if unanswerable else float("nan"),
        "wrong": (len(answered) - len(right)) / n if n else float("nan"),
        "span in answer": (sum(r["span"] and r["p"] >= t for r in answerable) / len(answerable)) if answerable else float("nan"),
        "precision": len(right) / len(answered) if answered else float("nan"),
        "recall": len(right) / len(answerable) if answerable else float("nan"),
        "len p50": pct(lengths, .5), "len p95": pct(lengths, .95),
        "ms p50": pct(times, .5), "ms p95": pct(times, .95),
    }


def project_items() -> list[tuple[str, Callable]]:
    data = json.loads((REPO / "eval/questions.json").read_text())
    return [(q["question"], lambda p, q=q: judge(q, p)) for q in data["questions"]]


def legal_items() -> list[tuple[str, Callable]]:
    rows = json.loads((REPO / "eval/legal_spans.json").read_text())["questions"]

    def fn(q: dict, payload: dict) -> dict:
        hit = norm(q["answer"]) in norm(payload["answer"])
        cited = any(c["source"] == q["doc"] and (norm(q["evidence"]) in norm(c["quote"])
                                                 or norm(q["answer"]) in norm(c["quote"])) for c in payload["citations"])
        return {"correct": hit and cited, "span": hit, "answerable": True}

    return [(q["question"], lambda p, q=q: fn(q, p)) for q in rows]


def heldout_items() -> list[tuple[str, Callable]]:
    from eval.verifier_data import rows_in

    return [(r["question"], lambda p, r=r: judge_labelled(r, p)) for r in rows_in("test")]


def http_latency(base: str, questions: list[str]) -> None:
    import httpx

    json_ms, first_ms, openai_ms = [], [], []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post("/api/chat", json={"message": "khởi động"})
        model = client.get("/v1/models").json()["data"][0]["id"]
        for q in questions:
            # The OpenAI-compatible route answers the same question (a one-message thread).
            t0 = time.perf_counter()
            r = client.post("/v1/chat/completions", json={"model": model, "messages": [{"role": "user", "content": q}]})
            r.raise_for_status()
            openai_ms.append((time.perf_counter() - t0) * 1000)
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
    print(f"HTTP /v1/chat/completions: p50 {pct(openai_ms, .5):.1f} ms, p95 {pct(openai_ms, .95):.1f} ms "
          f"({pct(openai_ms, .5) / pct(json_ms, .5):.2f}× /api/chat at p50, "
          f"{pct(openai_ms, .95) / pct(json_ms, .95):.2f}× at p95)")


COLUMNS = ["set", "n", "correct+cited", "refused unans", "wrong", "span in answer", "len p50", "len p95",
           "ms p50", "ms p95"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="project,legal,heldout,alqac,viquad")
    ap.add_argument("--http", action="store_true",
                    help="also time POST /api/chat and /v1/chat/completions over HTTP (project set)")
    ap.add_argument("--failures", type=int, default=12, help="failures to print per set")
    ap.add_argument("--json", help="write every record here")
    args = ap.parse_args()
    sets = args.sets.split(",")
    results: dict[str, dict] = {}
    if "project" in sets or "legal" in sets:
        services, _ = services_for("corpus", REPO / "corpus")
        services.warm_up()  # model, statistics, task table: what `aseanbot serve` loads before serving
        if "project" in sets:
            results["project"] = run_set("project", services, project_items(), args.failures)
        if "legal" in sets:
            results["legal"] = run_set("legal", services, legal_items(), args.failures)
        if args.http and "project" in sets:
            from bot.http.app import create_app
            from bot.http.serving import serve_in_thread

            # One benchmark client asks hundreds of questions: lift the per-client rate limit.
            app = create_app(services.settings.model_copy(update={"rate_limit_per_minute": 1_000_000}))
            app.state.services = services
            with serve_in_thread(app) as base:
                http_latency(base, [q for q, _ in project_items()])
        services.close()
    if "heldout" in sets:
        from eval.verifier_data import pooled_corpus

        services, _ = services_for("verifier", pooled_corpus())
        services.warm_up()
        results["heldout"] = run_set("heldout (test split)", services, heldout_items(), args.failures)
        services.close()
    if "alqac" in sets:
        corpus, rows = alqac_corpus()
        services, _ = services_for("alqac", corpus)
        services.warm_up()
        results["alqac"] = run_set("alqac", services, [(r["question"], lambda p, r=r: judge_span(r["answer"], p))
                                                       for r in rows], args.failures)
        services.close()
    if "viquad" in sets:
        from eval.verifier_data import viquad_corpus

        corpus, rows = viquad_corpus()
        services, _ = services_for("viquad", corpus)
        services.warm_up()
        items = [(r["question"], lambda p, r=r: judge_span((r["answers"] or [None])[0], p)) for r in rows]
        results["viquad"] = run_set("viquad", services, items, args.failures)
        services.close()
    print(table([r["row"] for r in results.values()], COLUMNS, "answers at the shipped threshold"))
    for name, r in results.items():
        print(table(r["curve"], ["threshold", "precision", "recall", "refused unans", "wrong", "span in answer"],
                    f"verifier precision/recall: {name}"))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({k: {"row": v["row"], "curve": v["curve"],
                           "records": [{k2: x for k2, x in rec.items() if k2 != "debug"} for rec in v["records"]]}
                       for k, v in results.items()}, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
