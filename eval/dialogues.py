"""Dialogue benchmark: does a follow-up keep the thread? (eval/dialogues.json)

    .venv/bin/python -m eval.dialogues [--thread] [--quiet]

Each dialogue is asked turn by turn in one server-side session (``ChatService.ask`` with the
session id, as the widget does), or with ``--thread`` as an OpenAI-style client would: every turn
rebuilt from the earlier questions alone (``ChatService.ask_thread``), which must give the same
figures since a thread's state is derived from its messages.

A turn is **right** when
- it expects a refusal (``expect_refusal``): the reply is not grounded (the documents, or the
  thread's task, do not say) and cites no other document;
- otherwise: the expected phrases (any of ``answer``, or all of ``answer_all``) are in the
  answer text or in a quote it cites from the gold document, and a citation points at the gold
  document (phrases compared accent- and tone-insensitively, as in eval/answers.py).

A turn is **off-thread** when it cites a document other than the turn's gold document, or, in
the gold document, a numbered section that is neither the gold section nor inside or above it
(a task other than the one the thread is about). Only turns after the first count as follow-ups.

Dialogues D01–D12 and D39–D76 are DEV: their failures are printed and may be read while building. The rest
are TEST: only their aggregate figures are printed (see eval/README.md).
"""
from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict

from eval.common import REPO, norm, pct, services_for, table

# D39-D56 were written blind on 2026-12-06 (a helper who read only corpus/) to widen DEV; D57-D76
# on 2026-12-07 the same way, weighted to switching documents, other roles and list items.
DEV = {f"D{i:02d}" for i in [*range(1, 13), *range(39, 77)]}
KINDS = ["first", "switch_doc", "other_role", "same_doc", "list_item", "unanswered", "fresh"]
# "II.1.3", "1.2", "6.b", "3": the number a section starts with.
_SECTION_NUMBER = re.compile(r"^\s*((?:[IVXL]+|\d+)(?:\.(?:\d+|[a-zđ]))*)\b", re.I)


def _section_number(section: str | None) -> str | None:
    m = _SECTION_NUMBER.match(section or "")
    return m.group(1).lower().rstrip(".") if m else None


def _related_sections(gold: str, cited: str) -> bool:
    """The same section, or one inside the other ("II.1" and "II.1.3"), or the same leaf number
    when one side numbers only the leaf ("II.1.3" and "3")."""
    if gold == cited or gold.startswith(cited + ".") or cited.startswith(gold + "."):
        return True
    return gold.split(".")[-1] == cited.split(".")[-1] and "." not in cited


def _norm(text: str) -> str:
    """As eval/answers.py compares, and a dash counts the same with or without spaces around it
    ("2019 - 2020" is "2019-2020")."""
    return re.sub(r"\s*[-–]\s*", "-", norm(text))


def judge(turn: dict, payload: dict) -> dict:
    gold_doc = turn["doc"]
    cites = payload["citations"]
    other_doc = any(c["source"] != gold_doc for c in cites)
    gold_number = _section_number(turn.get("section"))
    other_task = False
    if gold_number and "–" not in turn.get("section", "") and "-" not in turn.get("section", ""):
        for c in cites:
            number = _section_number(c.get("section"))
            if c["source"] == gold_doc and number and not _related_sections(gold_number, number.lower()):
                other_task = True
    if turn.get("expect_refusal"):
        right = not payload["grounded"] and not other_doc
    else:
        shown = _norm(payload["answer"] + " " + " ".join(c["quote"] for c in cites if c["source"] == gold_doc))
        if turn.get("answer_all"):
            found = all(_norm(a) in shown for a in turn["answer_all"])
        else:
            found = any(_norm(a) and _norm(a) in shown for a in turn["answer"])
        right = payload["grounded"] and found and any(c["source"] == gold_doc for c in cites)
    return {"right": bool(right), "off_doc": other_doc, "off_task": other_task,
            "gold_cited": any(c["source"] == gold_doc for c in cites)}


def run(services, dialogues: list[dict], *, thread: bool) -> list[dict]:
    from bot.answer.chat import answer_payload

    chat = services.chat
    rows = []
    for d in dialogues:
        session_id = None
        questions: list[str] = []
        for i, turn in enumerate(d["turns"]):
            questions.append(turn["question"])
            t0 = time.perf_counter()
            if thread:
                result = chat.ask_thread(questions, use_llm=False)
            else:
                result = chat.ask(turn["question"], session_id, use_llm=False)
                session_id = result.session_id
            ms = (time.perf_counter() - t0) * 1000
            payload = answer_payload(result)
            rows.append({"dialogue": d["id"], "turn": i + 1, "kind": turn["kind"], "ms": ms,
                         "question": turn["question"], "payload": payload, "debug": result.answer.debug,
                         **judge(turn, payload)})
    return rows


def report(rows: list[dict], title: str) -> None:
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r)
    follow = [r for r in rows if r["turn"] > 1]
    out = []
    for name, group in [("all turns", rows), ("first turns", [r for r in rows if r["turn"] == 1]),
                        ("follow-ups", follow)] + [(k, by_kind[k]) for k in KINDS if k != "first" and by_kind.get(k)]:
        n = len(group)
        read_as: dict[str, int] = defaultdict(int)
        for r in group:
            read_as[r["debug"].get("reading", "?")] += 1
        out.append({"turns": name, "n": n, "right": sum(r["right"] for r in group) / n if n else float("nan"),
                    "other doc": sum(r["off_doc"] for r in group),
                    "other task": sum(r["off_task"] and not r["off_doc"] for r in group),
                    "grounded": sum(r["payload"]["grounded"] for r in group) / n if n else float("nan"),
                    "gold doc cited": sum(r["gold_cited"] for r in group) / n if n else float("nan"),
                    "read as": " ".join(f"{k}:{v}" for k, v in sorted(read_as.items()))})
    print(table(out, ["turns", "n", "right", "other doc", "other task", "grounded", "gold doc cited", "read as"], title))
    times = [r["ms"] for r in rows]
    print(f"turn latency: p50 {pct(times, .5):.1f} ms, p95 {pct(times, .95):.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--thread", action="store_true", help="rebuild each turn from the questions (ask_thread)")
    ap.add_argument("--quiet", action="store_true", help="no DEV failure list")
    ap.add_argument("--dev", action="store_true", help="DEV dialogues only (while building)")
    args = ap.parse_args()
    dialogues = json.loads((REPO / "eval/dialogues.json").read_text())["dialogues"]
    services, _ = services_for("dialogues", REPO / "corpus")
    services.warm_up()
    dev = [d for d in dialogues if d["id"] in DEV]
    test = [d for d in dialogues if d["id"] not in DEV]
    mode = "ask_thread (state from the messages)" if args.thread else "session (session_id)"
    dev_rows = run(services, dev, thread=args.thread)
    report(dev_rows, f"DEV dialogues ({len(dev)}), {mode}")
    if not args.dev:
        test_rows = run(services, test, thread=args.thread)
        report(test_rows, f"TEST dialogues ({len(test)}), {mode} — aggregate only")
    if not args.quiet:
        print("\nDEV turns not right or off-thread:")
        for r in dev_rows:
            if not r["right"] or r["off_doc"] or r["off_task"]:
                p = r["payload"]
                print(f"  {r['dialogue']}.{r['turn']} {r['kind']} | {r['question']}\n"
                      f"      understood: {p.get('understood')!r} | grounded={p['grounded']} "
                      f"off_doc={r['off_doc']} off_task={r['off_task']}\n"
                      f"      → {p['answer'][:220].replace(chr(10), ' / ')}\n"
                      f"      cites: {[(c['source'].split('/')[-1][:24], (c.get('section') or '')[:30]) for c in p['citations']]}")
    services.close()


if __name__ == "__main__":
    main()
