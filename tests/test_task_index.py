"""The task table's index (ingest/task_index.py) finds what a pass over every task finds.

Filters by unit, role, document and province go through the index so that a question's cost
follows what it returns; these tests compare each lookup with the brute-force scan it replaced,
on generated tables (unit names in every form the key functions treat differently) and on the
tasks of the five ASEAN plans."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from ingest.assignments import ROLES
from ingest.pipeline import parse_file
from ingest.task_index import TaskIndex
from ingest.task_table import TaskTable, _fold
from ingest.tasks import Task, extract_tasks
from ingest.unit_match import match_score

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PLANS = ["asean/quangninh-159-kh-ubnd-2021.docx", "asean/dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf",
         "asean/bonoivu-1117-qd-bnv-2021.txt", "asean/tayninh-2502-kh-ubnd-2019.html",
         "asean/daklak-tuyen-truyen-asean-2021-2025.txt"]

# Names that share heads, bases and words, written as plans write them.
UNITS = ["Sở Thông tin và Truyền thông", "Sở Thông tin và Truyền thông tỉnh Tây Ninh", "Bộ Thông tin và Truyền thông",
         "Sở TT&TT", "Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hoá, Thể thao và Du lịch", "Sở Ngoại vụ",
         "Ủy ban nhân dân các huyện, thị xã, thành phố", "UBND các huyện, thị xã, thành phố", "Công an tỉnh",
         "Đài Phát thanh và Truyền hình tỉnh", "Báo Quảng Ninh", "Ban Tuyên giáo Tỉnh ủy", "Các sở, ban, ngành",
         "Văn phòng UBND tỉnh", "Vụ Hợp tác quốc tế", "Bộ Công Thương", "Sở Công Thương", "Tỉnh đoàn"]
ASKED = UNITS + ["Thông tin và Truyền thông", "sở thông tin truyền thông", "Văn hóa, Thể thao và Du lịch",
                 "Công Thương", "huyện", "Sở", "UBND tỉnh", "Hợp tác quốc tế", "Không có đơn vị này", ""]
PLACES = ["Quảng Ninh", "Tây Ninh", "huyện Đông Sơn, Thanh Hóa", None]


def _generated(n: int, seed: int) -> list[Task]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        pick = lambda k: rng.sample(UNITS, rng.randint(0, k))  # noqa: E731
        out.append(Task(task_id=f"t{i}", doc_id=f"doc-{i % 7}", source=f"src/{i % 7}.docx", section=f"{i}",
                        task=f"nhiệm vụ số {i}", lead_units=pick(2), partner_units=pick(3), focal_units=pick(1),
                        guiding_units=pick(1), deadline=rng.choice([None, "Quý II/2024", "trước ngày 10/11 hằng năm"]),
                        scope=rng.choice(PLACES)))
    return out


def _brute(tasks: list[Task], unit: str, roles: list[str]) -> dict[int, float]:
    best = {}
    for i, t in enumerate(tasks):
        s = max((match_score(unit, u) for r in roles for u in t.units(r)), default=0.0)
        if s > 0:
            best[i] = s
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_unit_lookup_equals_scoring_every_task(seed):
    tasks = _generated(300, seed)
    index = TaskIndex(tasks, ROLES)
    for unit in ASKED:
        for roles in (list(ROLES), ["lead"], ["partner"]):
            assert index.unit_tasks_scored(unit, roles) == _brute(tasks, unit, roles), (unit, roles)


def _query_brute(table: TaskTable, unit=None, doc_id=None, province=None, role=None) -> list[Task]:
    idx = list(range(len(table.tasks)))
    if doc_id:
        wanted = {d.strip() for d in doc_id.split(",") if d.strip()}
        idx = [i for i in idx if table.tasks[i].doc_id in wanted or table.tasks[i].source in wanted]
    if province:
        p = _fold(province)
        idx = [i for i in idx if p in _fold(table.tasks[i].scope or "")
               or p in _fold((table.records.get(table.tasks[i].doc_id) or {}).get("province") or "")]
    if unit:
        best = _brute(table.tasks, unit, [role] if role in ROLES else list(ROLES))
        scored = [(i, best[i]) for i in idx if i in best]
        top = max((s for _, s in scored), default=0.0)
        idx = [i for i, s in scored if s >= min(top, 0.9)]
    elif role in ROLES:
        idx = [i for i in idx if table.tasks[i].units(role)]
    return [table.tasks[i] for i in idx]


def test_table_filters_equal_the_scan_they_replaced():
    table = TaskTable(_generated(400, 7))
    rng = random.Random(11)
    for _ in range(200):
        kw = {"unit": rng.choice(ASKED + [None]), "doc_id": rng.choice([None, "doc-1", "doc-2,src/3.docx", "nope"]),
              "province": rng.choice(["Quảng Ninh", "tay ninh", None]), "role": rng.choice([None, *ROLES])}
        assert table.query(**kw) == _query_brute(table, **kw), kw


@pytest.fixture(scope="module")
def plans_table() -> TaskTable:
    docs = [parse_file(CORPUS / s, s, max_bytes=50 * 1024 * 1024, ocr=False) for s in PLANS]
    return TaskTable.from_documents(docs)


def test_plans_every_unit_finds_the_tasks_a_scan_finds(plans_table):
    for unit in plans_table.units() + ["Sở TT&TT", "sở thông tin truyền thông", "Thông tin và Truyền thông"]:
        for role in (None, *ROLES):
            assert plans_table.query(unit=unit, role=role) == _query_brute(plans_table, unit=unit, role=role)
    for province in ("Quảng Ninh", "Tây Ninh", "Đắk Lắk", "Thanh Hóa"):
        assert plans_table.query(province=province) == _query_brute(plans_table, province=province)


def test_plans_answers_through_the_index(plans_table):
    ans = plans_table.answer_unit_question("Sở TT&TT Quảng Ninh phải làm những gì?")
    assert ans is not None and ans.intent == "duties"
    assert all("Quảng Ninh" in (t.scope or "") for t in ans.tasks)
    ans = plans_table.answer_unit_question("Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở?")
    assert ans.intent == "who" and ans.tasks[0].lead_units == ["Ủy ban nhân dân các huyện, thị xã, thành phố"]
    # a document filter that names no document of the table: nothing to answer from
    assert plans_table.answer_unit_question("Đơn vị nào chủ trì tuyên truyền?", doc_ids=["no-such-doc"]) is None
