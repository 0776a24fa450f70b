"""Where each task of a task table sits — by document, by unit and role, by province — so that a
filter costs what it returns, not the size of the table.

At the scale corpus's size (450 documents, ~22k tasks) a pass over every task per question
(``match_score`` against each task's units) was most of ``/api/tasks``'s time. Here the units
are looked up by their keys instead:

* ``unit_key`` equal (score 1.0) and ``base_key`` equal (0.9) are dictionary lookups;
* a name whose base holds the asked base as a run of words (0.6: "Thông tin và Truyền thông" →
  "Sở Thông tin và Truyền thông") is among the names holding every one of those words, found
  by intersecting word postings;

and every candidate name is then scored by :func:`ingest.unit_match.match_score` itself, so the
result equals scoring every unit of the table (tests/test_task_table.py checks it).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from ingest.unit_match import base_key, match_score
from ingest.unit_names import canonical_unit, starts_with_head, unit_key

# Places asked about (provinces, districts), each with its tasks: bounded, since the words come
# from questions.
_PLACES_KEPT = 128


class TaskIndex:
    """Built once per table from its tasks (objects with ``doc_id``, ``source`` and
    ``units(role)``)."""

    def __init__(self, tasks: list, roles: Iterable[str]):
        self.roles = tuple(roles)
        self.by_doc: dict[str, list[int]] = {}
        # unit name as written → role → task indices, ascending
        self.unit_tasks: dict[str, dict[str, list[int]]] = {}
        self.with_role: dict[str, set[int]] = {r: set() for r in self.roles}
        for i, t in enumerate(tasks):
            for key in {t.doc_id, t.source} - {None, ""}:
                self.by_doc.setdefault(key, []).append(i)
            for role in self.roles:
                names = t.units(role)
                if names:
                    self.with_role[role].add(i)
                for name in names:
                    slot = self.unit_tasks.setdefault(name, {}).setdefault(role, [])
                    if not slot or slot[-1] != i:
                        slot.append(i)
        self._by_key: dict[str, list[str]] = {}
        self._by_base: dict[str, list[str]] = {}
        self._base_words: dict[str, set[str]] = {}
        for name in self.unit_tasks:
            self._by_key.setdefault(unit_key(name), []).append(name)
            base = base_key(name)
            self._by_base.setdefault(base, []).append(name)
            for w in set(base.split()):
                self._base_words.setdefault(w, set()).add(name)
        self._places: dict[str, list[int]] = {}

    def docs(self, wanted: Iterable[str]) -> list[int]:
        """Tasks of the documents named by doc_id or source, in table order."""
        found: set[int] = set()
        for key in wanted:
            found.update(self.by_doc.get(key, ()))
        return sorted(found)

    def unit_scores(self, unit: str) -> dict[str, float]:
        """Every unit name of the table with ``match_score(unit, name) > 0``, and that score."""
        if not unit_key(unit):
            return {}
        candidates: set[str] = set(self._by_key.get(unit_key(unit), ()))
        qb = base_key(unit)
        candidates.update(self._by_base.get(qb, ()))
        if not starts_with_head(canonical_unit(unit)):
            words = qb.split()
            if not words:
                candidates.update(self.unit_tasks)  # an empty base is inside every name
            else:
                postings = sorted((self._base_words.get(w, set()) for w in set(words)), key=len)
                common = set(postings[0]).intersection(*postings[1:]) if postings else set()
                candidates.update(common)
        scores = {name: match_score(unit, name) for name in candidates}
        return {name: s for name, s in scores.items() if s > 0}

    def unit_tasks_scored(self, unit: str, roles: Iterable[str]) -> dict[int, float]:
        """Task index → the best score of ``unit`` against the task's units in ``roles``."""
        best: dict[int, float] = {}
        for name, score in self.unit_scores(unit).items():
            by_role = self.unit_tasks[name]
            for role in roles:
                for i in by_role.get(role, ()):
                    if score > best.get(i, 0.0):
                        best[i] = score
        return best

    def place(self, key: str, compute: Callable[[], list[int]]) -> list[int]:
        """The tasks of a place: ``compute`` walks the table once per place, then it is kept
        (the first places asked, up to a bound; a plain dict, whose single reads and writes are
        safe between request threads)."""
        hit = self._places.get(key)
        if hit is None:
            hit = compute()
            if len(self._places) < _PLACES_KEPT:
                self._places[key] = hit
        return hit
