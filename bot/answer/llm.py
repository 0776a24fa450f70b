"""The optional LLM answerer: any OpenAI-compatible server, every sentence checked before it is shown.

``ChatService`` calls it only after the extractive answerer found grounded evidence, so
abstaining stays with the extractive path. The model gets the top passages numbered [1]…[n]
(``prompts/answer.vi.md``); its answer is split into sentences and each is verified against
the passages it cites (``bot/answer/verify.py``). Surviving sentences keep their own words; their
markers are renumbered to citations that quote the supporting sentences exactly. When too
little survives, or the server fails or is slow, the extractive answer is returned unchanged,
with ``debug["llm"] = "fallback: <why>"``: a user never sees an unverified sentence or an error.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from bot.answer.citations import CitationList
from bot.answer.extractive import NOT_FOUND, Answer
from bot.answer.verify import MIN_OVERLAP, MIN_SIMILARITY, Evidence, VerifiedSentence, injected_spans, verify
from index.hybrid import SearchHit
from ingest.lang.normalize import fold_accents

log = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
# Shown instead of text in a passage that addresses the model (it is never evidence either).
REDACTED = "(đoạn văn bản chứa yêu cầu gửi cho trợ lý, đã lược bỏ)"
_ABSTAIN = fold_accents(NOT_FOUND).lower().rstrip(".")
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_LEAD_IN = re.compile(r"^\s*(?:trả lời|câu trả lời|answer)\s*:\s*", re.IGNORECASE)


@lru_cache
def load_prompt(name: str) -> str:
    """A prompt template from the repository's ``prompts/`` folder (an editable install reads it in place)."""
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")


@dataclass
class Passage:
    n: int
    hit: SearchHit
    shown: str  # the text the model sees: truncated, instructions to the model redacted


def api_base(url: str) -> str:
    """"http://host:8080" → "http://host:8080/v1" (the OpenAI client appends "/chat/completions");
    a URL with a path is taken as given."""
    url = url.rstrip("/")
    return url + "/v1" if urlsplit(url).path in ("", "/") else url


def _truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut after the last sentence or line end that fits."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind("\n"), *(head.rfind(p + " ") + 1 for p in ".;!?"))
    return (head[:cut] if cut > limit // 2 else head).rstrip() + " …"


def _redact(text: str) -> str:
    for start, end in reversed(injected_spans(text)):
        text = text[:start] + REDACTED + text[end:]
    return text


class LLMGenerator:
    """``generate(question, hits, fallback) -> Answer``; see the module docstring."""

    def __init__(self, llm: Any, *, embedder: Any | None = None, max_passages: int = 6,
                 max_passage_chars: int = 1100, max_context_chars: int = 4500, min_kept: float = 0.5,
                 min_overlap: float = MIN_OVERLAP, min_similarity: float = MIN_SIMILARITY,
                 answerer: Any | None = None):
        self.llm = llm
        # The extractive answerer: its verifier (bot/answer/verifier.py) also judges the
        # passages each generated sentence rests on, with the same threshold.
        self.answerer = answerer  # a llama-index LLM (OpenAILike), already set to temperature 0 and a token cap
        self.embedder = embedder
        self.max_passages = max_passages
        self.max_passage_chars = max_passage_chars
        self.max_context_chars = max_context_chars
        self.min_kept = min_kept
        self.min_overlap = min_overlap
        self.min_similarity = min_similarity

    @classmethod
    def from_settings(cls, settings: Any, embedder: Any | None = None, answerer: Any | None = None) -> "LLMGenerator":
        from llama_index.llms.openai_like import OpenAILike

        llm = OpenAILike(
            model=settings.llm_model,
            api_base=api_base(settings.llm_url),
            api_key=settings.llm_api_key,
            is_chat_model=True,
            timeout=settings.llm_timeout,
            # A retry doubles the wait of a user who gets the extractive answer anyway.
            max_retries=0,
            temperature=0.0,
            max_tokens=getattr(settings, "llm_max_tokens", 300),
            context_window=getattr(settings, "llm_context_window", 4096),
        )
        min_similarity = getattr(settings, "llm_min_similarity", MIN_SIMILARITY)
        return cls(llm, embedder=embedder if min_similarity > 0 else None, min_similarity=min_similarity,
                   answerer=answerer)

    # -- prompt ------------------------------------------------------------------------------
    def passages(self, hits: list[SearchHit]) -> list[Passage]:
        out: list[Passage] = []
        used = 0
        seen: set[str] = set()
        for hit in hits:
            if len(out) >= self.max_passages or hit.chunk_id in seen or not hit.text.strip():
                continue
            shown = _truncate(_redact(hit.text), self.max_passage_chars)
            if out and used + len(shown) > self.max_context_chars:
                break
            seen.add(hit.chunk_id)
            used += len(shown)
            out.append(Passage(len(out) + 1, hit, shown))
        return out

    def prompt(self, question: str, passages: list[Passage], context: str = "") -> str:
        block = load_prompt("passage.vi.md")
        rendered = []
        for p in passages:
            payload = p.hit.payload
            fields = {
                "n": str(p.n),
                "title": payload.get("title") or p.hit.title or p.hit.source,
                "number": payload.get("number") or "(không có)",
                "section": p.hit.section or "(không có)",
                "text": p.shown,
            }
            rendered.append(fill(block, fields).strip())
        # A follow-up's thread (what it is about, which documents) goes with the question.
        asked = question.strip() + (f"\n(Ngữ cảnh hội thoại: {context.strip()})" if context.strip() else "")
        return fill(load_prompt("answer.vi.md"), {"passages": "\n\n".join(rendered), "question": asked})

    # -- answer ------------------------------------------------------------------------------
    def generate(self, question: str, hits: list[SearchHit], fallback: Answer, context: str = "") -> Answer:
        started = time.perf_counter()
        passages = self.passages(hits)
        if not passages:
            return self._fallback(fallback, "no passages", started)
        try:
            raw = self.complete(self.prompt(question, passages, context))
        except Exception as exc:  # noqa: BLE001 - timeouts, refused connections, bad replies: all fall back
            log.warning("LLM call failed: %s: %s", type(exc).__name__, exc)
            return self._fallback(fallback, f"{type(exc).__name__}", started)
        try:
            return self.finish(question, raw, passages, fallback, started)
        except Exception as exc:  # noqa: BLE001 - e.g. the embedder failing: the user still gets an answer
            log.exception("LLM answer verification failed")
            return self._fallback(fallback, f"verification failed: {type(exc).__name__}", started)

    def complete(self, prompt: str) -> str:
        from llama_index.core.llms import ChatMessage

        # One user turn: some chat templates (Gemma's) have no system role.
        response = self.llm.chat([ChatMessage(role="user", content=prompt)])
        return response.message.content or ""

    def finish(self, question: str, raw: str, passages: list[Passage], fallback: Answer,
               started: float | None = None) -> Answer:
        """The verified answer built from the model's text ``raw``, or ``fallback``."""
        started = time.perf_counter() if started is None else started
        text = clean_output(raw)
        fallback.debug["llm_raw"] = raw[:1000]
        if not text:
            return self._fallback(fallback, "empty answer", started)
        if _ABSTAIN in fold_accents(text).lower():
            return self._fallback(fallback, "model abstained", started)
        payloads = {p.n: p.hit.payload for p in passages}
        results = verify(text, payloads, embedder=self.embedder, min_overlap=self.min_overlap,
                         min_similarity=self.min_similarity)
        claims: dict[str, VerifiedSentence] = {}
        for v in results:  # a model that loops repeats itself: count each claim once
            if v.content:
                key = " ".join(fold_accents(v.claim).lower().split())
                if key not in claims or (v.supported and not claims[key].supported):
                    claims[key] = v
        good = [v for v in claims.values() if v.supported]
        fallback.debug["llm_dropped"] = [{"sentence": v.claim[:200], "reason": v.reason}
                                         for v in results if not v.supported and v.content]
        if not good:
            return self._fallback(fallback, f"no sentence verified (0/{len(claims)})", started)
        if len(good) < self.min_kept * len(claims):
            return self._fallback(fallback, f"only {len(good)}/{len(claims)} sentences verified", started)
        good = self._answering(question, good, passages, fallback)
        if not good:
            return self._fallback(fallback, "no sentence passes the verifier", started)
        ids = {id(v) for v in good}
        answer_text, citations = render(text, [v for v in results if id(v) in ids], payloads)
        debug = {**fallback.debug, "llm": "ok", "llm_sentences": f"{len(good)}/{len(claims)}",
                 "llm_ms": round((time.perf_counter() - started) * 1000, 1)}
        return Answer(answer_text, citations, True, question, fallback.related, debug)

    def _answering(self, question: str, good: list[VerifiedSentence], passages: list[Passage],
                   fallback: Answer) -> list[VerifiedSentence]:
        """The sentences whose supporting passages the verifier accepts as answering the
        question (P at or above its threshold); all of them when there is no verifier."""
        answerer = self.answerer
        if answerer is None or getattr(answerer, "verifier", None) is None or not good:
            return good
        hits = [p.hit for p in passages]
        by_n = {p.n: p.hit for p in passages}
        spans = [[(by_n[ev.passage], ev.start, ev.end) for ev in v.evidence if ev.passage in by_n] for v in good]
        flat = [x for group in spans for x in group]
        probs = answerer.verify_spans(question, hits, flat)
        kept, i = [], 0
        for v, group in zip(good, spans):
            p = max(probs[i:i + len(group)], default=0.0)
            i += len(group)
            if p >= answerer.threshold:
                kept.append(v)
            else:
                fallback.debug.setdefault("llm_dropped", []).append(
                    {"sentence": v.claim[:200], "reason": f"verifier P={p:.2f} < {answerer.threshold:.2f}"})
        return kept

    @staticmethod
    def _fallback(fallback: Answer, why: str, started: float) -> Answer:
        fallback.debug["llm"] = f"fallback: {why}"
        fallback.debug["llm_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return fallback


def fill(template: str, fields: Mapping[str, str]) -> str:
    """``{name}`` placeholders filled in one pass: not str.format, and not one replace after
    another, since passages and questions may themselves contain "{question}" or braces."""
    return re.sub(r"\{(\w+)\}", lambda m: str(fields[m.group(1)]) if m.group(1) in fields else m.group(0), template)


def clean_output(raw: str) -> str:
    """The model's answer without reasoning blocks, markdown emphasis or a "Trả lời:" lead-in."""
    text = _THINK.sub("", raw or "")
    text = text.replace("**", "").replace("__", "")
    text = _LEAD_IN.sub("", text.strip())
    lines = [re.sub(r"^#+\s*", "", line).rstrip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line.strip()).strip()


def _merge(evidence: list[Evidence], payloads: Mapping[int, Mapping[str, Any]]) -> list[Evidence]:
    """Adjacent supporting sentences of one passage become one quote."""
    out: list[Evidence] = []
    for ev in evidence:
        last = out[-1] if out else None
        text = payloads[ev.passage]["text"]
        if last and last.passage == ev.passage and last.end <= ev.start and not text[last.end:ev.start].strip():
            out[-1] = Evidence(ev.passage, last.start, ev.end)
        else:
            out.append(ev)
    return out


def render(text: str, good: list[VerifiedSentence], payloads: Mapping[int, Mapping[str, Any]]):
    """The kept sentences, in order, with [n] renumbered to citations of their supporting quotes.

    Returns (answer text, citations)."""
    cites = CitationList()
    parts: list[str] = []
    prev_end = None
    for v in good:
        by_passage: dict[int, list[int]] = {}
        for ev in _merge(sorted(v.evidence, key=lambda e: (v.cited.index(e.passage), e.start)), payloads):
            n = cites.cite(payloads[ev.passage], ev.start, ev.end)
            by_passage.setdefault(ev.passage, [])
            if n not in by_passage[ev.passage]:
                by_passage[ev.passage].append(n)
        sentence = v.text
        placed: list[int] = []
        for start, end, ns in reversed(v.markers):
            new = [c for n in ns for c in by_passage.get(n, []) if c not in placed]
            placed.extend(new)
            sentence = sentence[:start] + "".join(f"[{c}]" for c in new) + sentence[end:]
        missing = [c for cs in by_passage.values() for c in cs if c not in placed]
        if missing:  # a quote from a passage cited in the same group twice: still show its number
            sentence = sentence.rstrip() + "".join(f"[{c}]" for c in missing)
        sentence = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", sentence)).strip()
        if prev_end is not None:
            parts.append("\n" if "\n" in text[prev_end:v.start] else " ")
        parts.append(sentence)
        prev_end = v.end
    return "".join(parts), cites.items
