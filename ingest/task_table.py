"""The task table: every task of every ingested document, searchable by unit, document,
province and words (ranked by :mod:`ingest.task_search`), exportable to CSV/XLSX
(:mod:`ingest.task_export`), and able to answer "đơn vị nào chủ trì …?".

Tasks live in each ledger document's JSON under ``tasks`` (written at ingest by
:func:`ingest.tasks.tasks_for_document`). A document ingested before that key existed is
re-extracted here from its stored text — the same text the chunks cite, so offsets agree.

>>> table = TaskTable([])
>>> table.query(unit="Sở TT&TT")
[]
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.assignments import ROLES
from ingest.lang.abbreviations import expand_abbreviations
from ingest.lang.normalize import fold_accents
from ingest.lang.patterns import NUMBER, PROVINCES
from ingest.levels import LEVELS
from ingest.saved import ledger_fingerprint, load_or_build
from ingest.stored_document import StoredDocument
from ingest.task_export import location_label, task_rows, write_csv, write_xlsx
from ingest.task_index import TaskIndex
from ingest.task_search import BM25, BOILERPLATE, best_first, task_terms
from ingest.tasks import Task, extract_tasks
from ingest.unit_match import base_key, match_score, unit_variants
from ingest.unit_names import canonical_unit, expand_loose, unit_key

ROLE_LABELS = {"lead": "chủ trì", "partner": "phối hợp", "focal": "đầu mối", "guiding": "định hướng thông tin"}


# --- answers ------------------------------------------------------------------------------------

@dataclass
class TaskAnswer:
    """What the task table can say about a question."""

    intent: str  # who (which unit has a role in a task), duties (what a unit must do), when (deadline)
    role: str | None  # lead, partner, focal, guiding, deadline
    tasks: list[Task]
    score: float
    unit: str | None = None
    text: str = ""  # a Vietnamese answer, every statement from the tasks' own fields
    citations: list[dict] = field(default_factory=list)  # doc_id, source, section, page, quote


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w/]+", " ", fold_accents(text).lower()).split())


_ROLE_ASKED = [
    ("partner", re.compile(r"\bphoi hop\b")),
    ("focal", re.compile(r"\bdau moi\b")),
    ("guiding", re.compile(r"\bdinh huong\b")),
    ("lead", re.compile(r"\bchu tri\b|\bphu trach\b|\bchiu trach nhiem\b|\bthuc hien\b|\btrien khai\b")),
]
_WHO = re.compile(r"\b(?:don vi|co quan|so|ban|phong|bo|vu|cuc|trung tam|uy ban|ubnd|to chuc) nao\b|\bai\b|\bdo ai\b")
_WHEN = re.compile(r"\b(?:khi nao|bao gio|thoi han|han chot|thoi gian thuc hien|thoi gian nao|truoc ngay nao|"
                   r"luc nao|thang nao|nam nao|quy nao)\b")
_DUTIES = re.compile(r"\b(?:lam (?:nhung )?(?:gi|viec gi)|nhung (?:gi|viec gi|viec nao|nhiem vu (?:gi|nao))|"
                     r"nhiem vu (?:gi|nao|cua)|trach nhiem (?:gi|cua)|duoc giao (?:gi|nhung)|phu trach (?:gi|nhung)|"
                     r"(?:viec|nhiem vu) (?:nao|gi)|cac (?:viec|nhiem vu))\b")
_NOT_ABOUT_TASKS = re.compile(r"\b(?:ai ky|nguoi ky|ky boi|ky ten|so hieu|ban hanh ngay|ngay ban hanh|"
                              r"co hieu luc|hieu luc)\b")
_DEADLINE_IN_Q = re.compile(r"\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?|quy\s+(?:iv|iii|ii|i|[1-4])\b|"
                            r"hang nam|hang quy|hang thang|theo su kien|6 thang")


class TaskTable:
    def __init__(self, tasks: list[Task], texts: dict[str, str] | None = None,
                 records: dict[str, dict] | None = None, chunks: dict[str, tuple[str, int, int]] | None = None):
        self.tasks = list(tasks)
        self.records = records or {}
        self._chunks = chunks or {}
        texts = texts or {}
        # What a word search reads of each task; only its terms are kept (the BM25 postings).
        searched = (" \n".join(filter(None, [t.task, t.section, t.context,
                                              texts.get(t.doc_id, "")[t.task_start:t.task_end] or t.quote]))
                    for t in self.tasks)
        self._bm25 = BM25([task_terms(s) for s in searched])
        self._index = TaskIndex(self.tasks, ROLES)

    # -- construction --

    @classmethod
    def from_documents(cls, docs: list) -> "TaskTable":
        """From parsed documents (:class:`ingest.pipeline.ParsedDocument`)."""
        tasks: list[Task] = []
        texts: dict[str, str] = {}
        records: dict[str, dict] = {}
        chunks: dict[str, tuple[str, int, int]] = {}
        for doc in docs:
            tasks.extend(extract_tasks(doc))
            texts[doc.doc_id] = doc.text
            records[doc.doc_id] = doc.record() if hasattr(doc, "record") else {}
            for c in getattr(doc, "chunks", []) or []:
                chunks[c.chunk_id] = (doc.doc_id, c.char_start, c.char_end)
        return cls(tasks, texts, records, chunks)

    @classmethod
    def from_ledger(cls, ledger) -> "TaskTable":
        """From every document the ledger holds (``tasks`` key, else re-extracted from the text)."""
        tasks: list[Task] = []
        texts: dict[str, str] = {}
        records: dict[str, dict] = {}
        chunks: dict[str, tuple[str, int, int]] = {}
        for record in ledger.records():
            data = ledger.document(record["doc_id"])
            if not data:
                continue
            doc_id = record["doc_id"]
            texts[doc_id] = data.get("text", "")
            records[doc_id] = data.get("record") or record
            for c in data.get("chunks") or []:
                chunks[c["chunk_id"]] = (doc_id, c.get("char_start", 0), c.get("char_end", 0))
            if "tasks" in data and isinstance(data["tasks"], list):
                tasks.extend(Task.from_dict(t) for t in data["tasks"])
            else:
                tasks.extend(extract_tasks(StoredDocument(data)))
        return cls(tasks, texts, records, chunks)

    # -- lookup --

    def units(self) -> list[str]:
        """Every unit the table names, canonical, in first-seen order."""
        seen: dict[str, str] = {}
        for t in self.tasks:
            for role in ROLES:
                for u in t.units(role):
                    seen.setdefault(unit_key(u), u)
        return list(seen.values())

    def _unit_forms(self) -> tuple[dict[str, list[str]], dict[str, int], int]:
        """Each unit's written forms (canonical, abbreviated, without its locality), folded →
        the units; the units' order; the longest form in words. Built once per table."""
        cached = self.__dict__.get("_forms")
        if cached is None:
            index: dict[str, list[str]] = {}
            names = self.units()
            for name in names:
                forms = {_fold(v) for v in unit_variants(name)} | {_fold(canonical_unit(name))}
                base = _base_form(name)
                if base and len(base.split()) >= 3:
                    forms.add(base)
                for form in forms:
                    if form:
                        index.setdefault(form, []).append(name)
            longest = max((len(f.split()) for f in index), default=0)
            cached = self.__dict__["_forms"] = (index, {n: i for i, n in enumerate(names)}, longest)
        return cached

    def units_in(self, text: str) -> list[str]:
        """Units of the table a free text (a question) names, in any spelling, longest first.

        Matches a unit's canonical or abbreviated form, accent- and case-insensitively, or the
        unit without its trailing locality ("Sở Thông tin và Truyền thông" for "… tỉnh")."""
        index, order, longest = self._unit_forms()
        # A số hiệu's issuer code names the body that signed the document, not a unit the
        # question asks about: "Chỉ thị 07/CT-TTg" does not ask about the Thủ tướng.
        text = NUMBER.sub(" ", text)
        words = _fold(_expand_question(text)).split()
        hits: dict[str, int] = {}
        # Every run of the question's words looked up among the forms (a form matches where
        # " form " occurs in the folded question): the cost follows the question, not the table.
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + longest) + 1):
                form = " ".join(words[i:j])
                for name in index.get(form, ()):
                    hits[name] = max(hits.get(name, 0), len(form))
        found = sorted(((hit, name) for name, hit in hits.items()), key=lambda x: (-x[0], order[x[1]]))
        out: list[str] = []
        for _, name in found:
            # a shorter name inside a longer one already found is the same mention
            if not any(_fold(name) in _fold(o) for o in out):
                out.append(name)
        return out

    def query(self, q: str | None = None, unit: str | None = None, doc_id: str | None = None,
              province: str | None = None, role: str | None = None, limit: int | None = None) -> list[Task]:
        """Tasks filtered by unit (any role, or ``role``), document and province; ranked by ``q``."""
        # Each filter narrows a set of task indices through the index (None: every task), so
        # the cost follows what is returned, not the table's size.
        idx: list[int] | None = None
        if doc_id:
            idx = self._index.docs(d.strip() for d in doc_id.split(",") if d.strip())
        if province:
            in_place = set(self._in_place(_fold(province)))
            idx = [i for i in (range(len(self.tasks)) if idx is None else idx) if i in in_place]
        if unit:
            roles = [role] if role in ROLES else list(ROLES)
            best = self._index.unit_tasks_scored(unit, roles)
            scored = [(i, best[i]) for i in (sorted(best) if idx is None else idx) if i in best]
            top = max((s for _, s in scored), default=0.0)
            # an exact name match hides looser ones ("Thông tin và Truyền thông" → Sở and Bộ both)
            idx = [i for i, s in scored if s >= min(top, 0.9)]
        elif role in ROLES:
            has = self._index.with_role[role]
            idx = sorted(has) if idx is None else [i for i in idx if i in has]
        terms = task_terms(q, BOILERPLATE) if q and q.strip() else []
        if terms:
            # Unfiltered, the tasks to rank are those sharing a word with q, not the whole table;
            # and only the best ``limit`` of them are sorted.
            return [self.tasks[i] for i in best_first(self._bm25.score_array(terms), idx, limit,
                                                      lambda i: (self.tasks[i].doc_id, self.tasks[i].char_start))]
        if idx is None:
            idx = list(range(len(self.tasks)))
        out = [self.tasks[i] for i in idx]
        return out[:limit] if limit else out

    def by_role(self, unit: str) -> dict[str, list[Task]]:
        """A unit's tasks grouped by its role in them: {"lead": [...], "partner": [...], ...}."""
        return {role: self.query(unit=unit, role=role) for role in ROLES}

    # -- answering questions --

    def answer_unit_question(self, question: str, doc_ids: list[str] | None = None,
                             chunk_ids: list[str] | None = None) -> TaskAnswer | None:
        """Answer "đơn vị nào chủ trì …?", "Sở X phải làm những gì?", "việc nào có thời hạn trước
        ngày 10/11?" from the table, or None when the table has no confident answer (the caller
        then answers from retrieved passages as usual).

        ``doc_ids`` limits the search to documents already chosen (e.g. by the question's
        filters); ``chunk_ids`` (retrieved passages) favours tasks inside those passages.
        """
        fq = _fold(question)
        if _NOT_ABOUT_TASKS.search(fq):
            return None  # who signed or issued the document, its number: the document's record answers
        role_asked = next((r for r, p in _ROLE_ASKED if p.search(fq)), None)
        pool = self._pool(doc_ids)
        place = _place_in(question)
        if place:
            # "… của Quảng Ninh": that province's tasks, if the table has any
            in_place = self._in_place(place)
            local = in_place if pool is None else sorted(set(pool) & set(in_place))
            pool = local or pool
        if pool is not None and not pool:
            return None
        if not self.tasks:
            return None
        in_pool = None if pool is None else set(pool)
        units = self.units_in(question)
        units = [u for u in units if any(in_pool is None or in_pool.intersection(ids)
                                         for ids in self._index.unit_tasks.get(u, {}).values())]
        who = bool(_WHO.search(fq))
        when = bool(_WHEN.search(fq))
        duties = bool(_DUTIES.search(fq))
        if not (role_asked or who or when or duties or _DEADLINE_IN_Q.search(fq)):
            return None

        # "Sở X phải làm những gì?" — a unit named, its duties asked.
        if units and not who and (duties or not when):
            unit = units[0]
            role = role_asked or "lead"
            # "phải làm gì" without a role: what it leads or is the focal point for
            roles = [role] if role_asked else ["lead", "focal"]
            scored = self._index.unit_tasks_scored(unit, roles)
            mine = [i for i in sorted(scored) if scored[i] >= 0.9 and (in_pool is None or i in in_pool)]
            tasks = [self.tasks[i] for i in mine]
            topic = task_terms(_strip_units(question, units), BOILERPLATE)
            if tasks and topic and not duties:
                ranked = self._rank(topic, mine, chunk_ids)
                tasks = [self.tasks[i] for i, s, c in ranked if c >= 0.5] or tasks
            if tasks:
                tasks.sort(key=lambda t: (t.doc_id, t.char_start))
                return self._answer("duties", role, tasks, 1.0, unit)

        # "việc nào có thời hạn trước ngày 10/11?" — tasks whose deadline says so.
        mentioned = _DEADLINE_IN_Q.findall(fq)
        if mentioned and not who:
            wanted = [re.sub(r"\s+", "", m) for m in mentioned]
            tasks = [self.tasks[i] for i in (sorted(self._with_deadline) if pool is None else pool)
                     if self.tasks[i].deadline
                     and any(w in re.sub(r"\s+", "", _fold(self.tasks[i].deadline)) for w in wanted)]
            if tasks:
                return self._answer("deadline_list", "deadline", tasks, 1.0)

        # "Đơn vị nào chủ trì <task>?" / "<task> có thời hạn khi nào?" — the best-matching task.
        topic = task_terms(question, BOILERPLATE)
        if not topic:
            return None
        role = "deadline" if when and not who else (role_asked or ("lead" if who else None))
        if role is None:
            return None
        has = self._with_deadline if role == "deadline" else self._index.with_role[role]
        ranked = self._rank(topic, None, chunk_ids, keep=lambda i: i in has and (in_pool is None or i in in_pool))
        if not ranked:
            return None
        best_i, best_s, best_c = ranked[0]
        if best_c < 0.5:
            return None
        # Several tasks equally good (the same words in two plans): answer with all of them.
        tied = [self.tasks[i] for i, s, c in ranked if s >= best_s * 0.97 and c >= best_c - 1e-9][:5]
        return self._answer("who" if role != "deadline" else "when", role, tied, best_c)

    def best_task_for_question(self, question: str, doc_ids: list[str] | None = None,
                               chunk_ids: list[str] | None = None) -> tuple[Task, str] | None:
        """The single task a "who/when" question is about and the role asked (lead, partner,
        focal, guiding or deadline); None when not confident."""
        ans = self.answer_unit_question(question, doc_ids=doc_ids, chunk_ids=chunk_ids)
        if ans is None or not ans.tasks:
            return None
        return ans.tasks[0], ans.role or "lead"

    def of_document(self, doc_id: str) -> list[Task]:
        """A document's tasks in order, from the index (no pass over the whole table)."""
        return [self.tasks[i] for i in self._index.docs([doc_id])]

    def _pool(self, doc_ids: list[str] | None) -> list[int] | None:
        """The tasks of ``doc_ids`` (None: every task)."""
        return self._index.docs(doc_ids) if doc_ids else None

    def _in_place(self, place: str) -> list[int]:
        """Tasks whose scope or document's province names ``place`` (folded)."""
        def walk() -> list[int]:
            return [i for i, t in enumerate(self.tasks) if place in _fold(t.scope or "")
                    or place in _fold((self.records.get(t.doc_id) or {}).get("province") or "")]
        return self._index.place(place, walk)

    @property
    def _with_deadline(self) -> set[int]:
        cached = self.__dict__.get("_deadlines")
        if cached is None:
            cached = self.__dict__["_deadlines"] = {i for i, t in enumerate(self.tasks) if t.deadline}
        return cached

    def _rank(self, terms: list[str], idx: list[int] | None, chunk_ids: list[str] | None,
              keep: Callable[[int], bool] | None = None) -> list[tuple[int, float, float]]:
        """Tasks sharing a word with ``terms`` among ``idx`` (None: all, or those ``keep``
        accepts), best first; ties keep table order."""
        spans = [self._chunks[c] for c in chunk_ids or [] if c in self._chunks]
        score = self._bm25.score_array(terms)  # a fresh array: boosted in place below
        if idx is None:
            pool = [i for i in np.flatnonzero(score).tolist() if keep is None or keep(i)]
        else:
            pool = [i for i in idx if score[i] > 0]
        for i in self._index.docs({d for d, _, _ in spans}):
            t = self.tasks[i]
            if any(d == t.doc_id and a < t.task_end and t.task_start < b for d, a, b in spans):
                score[i] *= 1.3  # the retriever found this passage too
        cov = self._bm25.coverage_array(terms)
        pool_arr = np.asarray(pool, dtype=np.int64)
        s, c = score[pool_arr], cov[pool_arr]
        order = np.lexsort((-c, -s))  # by score, then coverage; stable, so ties keep pool order
        return list(zip(pool_arr[order].tolist(), s[order].tolist(), c[order].tolist()))

    def _answer(self, intent: str, role: str, tasks: list[Task], score: float, unit: str | None = None) -> TaskAnswer:
        lines: list[str] = []
        if intent == "duties":
            lines.append(f"{unit} {ROLE_LABELS.get(role, 'chủ trì')} {len(tasks)} nhiệm vụ:" if role != "lead" else
                         f"Nhiệm vụ của {unit} ({len(tasks)}):")
            for n, t in enumerate(tasks, 1):
                as_role = [ROLE_LABELS[r] for r in ROLES if any(match_score(unit, u) >= 0.9 for u in t.units(r))]
                extra = f" (thời hạn: {t.deadline})" if t.deadline else ""
                label = f"[{', '.join(as_role)}] " if as_role else ""
                lines.append(f"{n}. {label}{t.task}{extra} — {location_label(t, self.records.get(t.doc_id))}")
        elif intent == "deadline_list":
            lines.append("Các nhiệm vụ có thời hạn như câu hỏi nêu:")
            for n, t in enumerate(tasks, 1):
                who = ", ".join(t.lead_units) or ", ".join(t.focal_units) or ""
                lines.append(f"{n}. {t.task} — thời hạn: {t.deadline}" + (f"; chủ trì: {who}" if who else "")
                             + f" — {location_label(t, self.records.get(t.doc_id))}")
        else:
            for t in tasks:
                parts = []
                if role == "deadline":
                    parts.append(f"thời hạn: {t.deadline}")
                for r in ROLES:
                    if t.units(r):
                        parts.append(f"đơn vị {ROLE_LABELS[r]}: {', '.join(t.units(r))}")
                if role != "deadline" and t.deadline:
                    parts.append(f"thời hạn: {t.deadline}")
                lines.append(f"{t.task} — " + "; ".join(parts) + f" — {location_label(t, self.records.get(t.doc_id))}")
        citations = [{"doc_id": t.doc_id, "source": t.source, "section": t.section, "page": t.page,
                      "quote": t.quote, "char_start": t.char_start, "char_end": t.char_end} for t in tasks]
        return TaskAnswer(intent=intent, role=role, tasks=tasks, score=score, unit=unit, text="\n".join(lines),
                          citations=citations)

    # -- export --

    def rows(self, tasks: list[Task] | None = None) -> list[list]:
        return task_rows(self.tasks if tasks is None else tasks, self.records)

    def to_csv(self, path: Path | str, tasks: list[Task] | None = None) -> Path:
        return write_csv(path, self.rows(tasks))

    def to_xlsx(self, path: Path | str, tasks: list[Task] | None = None) -> Path:
        return write_xlsx(path, self.rows(tasks))


def _place_in(question: str) -> str | None:
    """A province, district or ministry named in a question, folded ("quang ninh", "dong son")."""
    q = " " + _fold(question) + " "
    for name in sorted(PROVINCES, key=len, reverse=True):
        key = _fold(name.replace("TP. ", ""))
        if f" {key} " in q:
            return key
    m = re.search(r"\b(?:huyen|quan|thi xa|thanh pho)\s+([a-z]+(?: [a-z]+)?)", q)
    if m and not m.group(1).startswith(("nao", "do", "nay")):
        return _fold(m.group(0))
    return None


def _expand_question(text: str) -> str:
    text = expand_loose(text)
    return expand_abbreviations(text) or text


def _base_form(name: str) -> str:
    return base_key(name)


def _strip_units(question: str, units: list[str]) -> str:
    q = _fold(_expand_question(question))
    for u in units:
        for form in sorted({_fold(v) for v in unit_variants(u)} | {_base_form(u)}, key=len, reverse=True):
            q = q.replace(form, " ")
    return q


def load_task_table(ledger) -> TaskTable:
    """A table for the ledger's current documents (see :func:`cached_task_table` for reuse)."""
    return TaskTable.from_ledger(ledger)


_CACHE: dict[int, tuple[tuple, TaskTable]] = {}
# (ledger folder, fingerprint) → table, while some ledger or view still uses it.
_SHARED: "weakref.WeakValueDictionary[str, TaskTable]" = weakref.WeakValueDictionary()
# Bump when TaskTable's fields change shape: a table saved by an older version is built again.
TABLE_FORMAT = 5


def cached_task_table(ledger) -> TaskTable:
    """The ledger's table, rebuilt only when a document was added, changed or removed."""
    # The ledger's version moves on every save; checking it costs nothing per question, where
    # a signature of every entry would cost a pass over all documents.
    # Keyed by the ledger object itself (a weak reference): a new ledger may reuse a dead one's id.
    version = getattr(ledger, "version", None)
    signature = (weakref.ref(ledger), version) if version is not None else tuple(
        sorted((e.get("doc_id", ""), e.get("sha256", "")) for e in ledger.entries.values()))
    hit = _CACHE.get(id(ledger))
    if hit and hit[0] == signature:
        return hit[1]
    folder = getattr(ledger, "dir", None)
    if folder is None:
        table = TaskTable.from_ledger(ledger)
    else:
        fingerprint = f"table-{TABLE_FORMAT}:{ledger_fingerprint(ledger)}"
        # Two views of one ledger that see the same documents (every document public) share one
        # table: at the scale corpus's size each copy is ~200 MB.
        key = f"{folder}\0{fingerprint}"
        table = _SHARED.get(key)
        if table is None:
            table = _saved_table(Path(folder) / "derived", fingerprint, ledger)
            _SHARED[key] = table
    _CACHE[id(ledger)] = (signature, table)
    return table


def _saved_table(folder: Path, fingerprint: str, ledger) -> TaskTable:
    """The table saved beside the ledger for this set of documents, else built and saved: a
    server starts without reading every document again. One file per set of documents (each
    access level's view may see another set); the files of sets no longer in use are removed,
    keeping as many as there are levels, the most recently used first."""
    path = folder / f"task_table-{hashlib.sha1(fingerprint.encode()).hexdigest()[:16]}.pickle"
    table = load_or_build(path, fingerprint, lambda: TaskTable.from_ledger(ledger))
    try:
        os.utime(path)  # used now: kept by the pruning below
        saved = sorted(folder.glob("task_table-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in saved[len(LEVELS):]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: nothing saved, nothing to prune
    return table


def tasks_json(tasks: list[Task]) -> str:
    return json.dumps([t.to_dict() for t in tasks], ensure_ascii=False, indent=1)
