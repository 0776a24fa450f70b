"""The verifier decides whether to answer; the answer comes first and short; a refusal says what
the documents hold; a false premise gets what the document does say."""
from __future__ import annotations

import math
import re

import pytest

from bot.answer.evidence import TermStats
from bot.answer.query import build_query
from tests.test_answers import quoted_exactly


def ask(services, question: str) -> dict:
    from bot.answer.chat import answer_payload

    return answer_payload(services.chat.ask(question, None, use_llm=False))


def first_line(text: str) -> str:
    return text.split("\n", 1)[0]


# --- pieces ------------------------------------------------------------------------------------

def test_the_shipped_model_loads_and_scores() -> None:
    from bot.answer.verifier import DERIVED, FEATURES, MODEL_PATH, Verifier

    v = Verifier.load()
    assert v is not None, f"{MODEL_PATH} is missing: run eval/train_verifier.py"
    assert 0.0 < v.threshold < 1.0 and set(v.model["features"]) <= set(FEATURES + DERIVED)
    assert MODEL_PATH.stat().st_size < 30 * 1024 * 1024
    p = v.probabilities([[0.0] * len(FEATURES), [1.0] * len(FEATURES)])
    assert p.shape == (2,) and all(0.0 <= x <= 1.0 for x in p)


def _pool(**columns: list[float]) -> list[list[float]]:
    from bot.answer.verifier import FEATURES

    n = len(next(iter(columns.values())))
    rows = [[0.0] * len(FEATURES) for _ in range(n)]
    for name, values in columns.items():
        for row, v in zip(rows, values):
            row[FEATURES.index(name)] = v
    return rows


def test_each_candidate_is_compared_with_the_best_other_of_its_pool() -> None:
    from bot.answer.verifier import DERIVED, VERSUS, versus

    for own in ([0.9, 0.5, 0.2], [0.2, 0.9, 0.5], [0.5, 0.5, 0.1]):
        d = versus(_pool(own=own))
        assert d.shape == (3, len(DERIVED))
        gaps = d[:, VERSUS.index("own")]
        expected = [v - max(o for j, o in enumerate(own) if j != i) for i, v in enumerate(own)]
        assert gaps.tolist() == pytest.approx(expected)
    # Alone in its pool a candidate leads nobody: gaps are 0, and the pool's size is still said.
    alone = versus(_pool(own=[0.7]))
    assert alone[0, :len(VERSUS)].tolist() == [0.0] * len(VERSUS)
    size = DERIVED.index("pool_size")
    assert versus(_pool(own=[0.1] * 10))[0, size] > alone[0, size] > 0


def test_each_candidate_has_its_z_score_within_its_pool() -> None:
    from bot.answer.verifier import DERIVED, versus

    z = DERIVED.index("z_own")
    d = versus(_pool(own=[0.9, 0.5, 0.1]))
    assert d[:, z].tolist() == pytest.approx([1.224745, 0.0, -1.224745], abs=1e-6)
    # A pool that does not vary (or a candidate alone) says nothing: 0, never a division by 0.
    assert versus(_pool(own=[0.4, 0.4]))[:, z].tolist() == [0.0, 0.0]
    assert versus(_pool(own=[0.7]))[0, z] == 0.0


def test_derived_features_and_calibration_reach_the_score() -> None:
    from bot.answer.verifier import Verifier

    base = {"features": ["own", "vs_own"], "mean": [0.0, 0.0], "scale": [1.0, 1.0], "coef": [0.0, 4.0],
            "intercept": 0.0, "threshold": 0.5}
    p = Verifier(base).probabilities(_pool(own=[0.8, 0.3]))
    assert p[0] > 0.5 > p[1]  # the leader over its pool rises, the one it leads falls
    assert p[0] == pytest.approx(1 / (1 + math.exp(-2.0)))
    # Platt calibration a·z + b is strictly monotonic: the order within a pool never changes.
    cal = Verifier({**base, "calibration": {"a": 0.5, "b": -1.0}}).probabilities(_pool(own=[0.8, 0.3]))
    assert cal[0] > cal[1] and cal[0] == pytest.approx(1 / (1 + math.exp(-0.0)))


def test_out_of_fold_calibration_states_the_chance_of_being_right() -> None:
    from eval.train_verifier import calibrated, platt

    # Generated questions: the best candidate at P is right with probability P**2 (overconfident).
    rng = __import__("random").Random(0)
    table = []
    for _ in range(4000):
        p = rng.uniform(0.05, 0.95)
        table.append((p, rng.random() < p * p, True))
    cal = platt(table)
    assert cal["a"] > 0
    fixed = calibrated(table, cal)
    hi = [ok for p, ok, _ in fixed if p >= 0.6]
    assert abs(sum(hi) / len(hi) - sum(p for p, _, _ in fixed if p >= 0.6) / len(hi)) < 0.05


def test_one_query_object_reads_the_question_once() -> None:
    q = build_query("Theo Thông tư 02/2023/TT-NHNN, khoản nợ quá hạn 90 ngày có được cơ cấu lại không?", TermStats([]))
    assert q.intent.kind == "yesno"
    assert q.doc_refs == ["02/2023/TT-NHNN"] and q.figures == ["90"]
    assert "90" in q.entity_terms and "co_cau" in q.predicate_weights
    assert q.focus.startswith("khoản nợ")  # the source named up front is not what is asked
    assert build_query("don vi nao chu tri?", TermStats([])).folded == "don vi nao chu tri?"


def test_the_supporting_sentence_is_cut_to_the_clauses_around_the_answer() -> None:
    from bot.answer.shaping import window

    q = build_query("Thời hạn cơ cấu lại nợ tối đa bao lâu?", TermStats([]))
    text = ("Thời gian cơ cấu lại thời hạn trả nợ (kể cả trường hợp gia hạn nợ) được xác định phù hợp với mức độ "
            "khó khăn của khách hàng, căn cứ đề nghị của khách hàng và đánh giá của tổ chức tín dụng, chi nhánh "
            "ngân hàng nước ngoài, và không vượt quá 12 tháng kể từ ngày đến hạn của số dư nợ được cơ cấu lại.")
    at = text.index("không vượt quá 12 tháng")
    a, b = window(text, q, 120, (at, at + len("không vượt quá 12 tháng")))
    assert b - a <= 120 and a <= at and "12 tháng" in text[a:b]
    assert window("Ngắn gọn.", q, 120) == (0, len("Ngắn gọn."))


def test_a_count_is_the_figure_beside_the_counted_noun() -> None:
    from bot.answer.shaping import figure_in

    q = build_query("Hội đồng phải có ít nhất mấy người?", TermStats([]))
    m = figure_in("Hội đồng thẩm định được thành lập trong 05 ngày, tối thiểu phải có 05 người.", q)
    assert m and "05 người" in m.group(0)


def test_a_duration_is_never_the_day_and_month_of_a_date() -> None:
    from bot.answer.shaping import figure_in

    q = build_query("Hiệp định có hiệu lực trong bao lâu?", TermStats([]))
    assert figure_in("Hiệp định ký ngày 22 tháng 11 năm 1994 tại Bắc Kinh.", q) is None
    m = figure_in("Hiệp định ký ngày 22 tháng 11 năm 1994, có hiệu lực trong thời hạn 3 năm.", q)
    assert m and m.group(0).strip() == "3 năm"


def test_closest_documents_are_named_by_title_never_by_a_dateline() -> None:
    from bot.answer.refusal import doc_label

    assert doc_label({"title": "30/01/2026 lúc 11:33 (GMT+7)", "doc_type": "Kế hoạch",
                      "issuer": "Ban Chỉ đạo tỉnh Đắk Lắk", "source": "x.txt"}) == "Kế hoạch của Ban Chỉ đạo tỉnh Đắk Lắk"
    assert doc_label({"title": "Thứ sáu - 29/11/2019 03:00", "number": "2502/KH-UBND", "doc_type": "Kế hoạch"}) \
        == "Kế hoạch 2502/KH-UBND"
    assert doc_label({"title": "Hiệp định vận tải đường bộ", "source": "a.pdf"}) == "Hiệp định vận tải đường bộ"


def test_llm_sentences_pass_the_same_verifier() -> None:
    """A generated sentence whose supporting passage the verifier rejects is dropped."""
    from bot.answer.extractive import Answer
    from bot.answer.llm import LLMGenerator, Passage
    from index.hybrid import SearchHit

    class StubAnswerer:
        threshold = 0.5
        verifier = object()

        def verify_spans(self, question, hits, spans):
            return [0.9 if "chủ trì" in h.text[a:b] else 0.1 for h, a, b in spans]

    text = "Sở Thông tin và Truyền thông chủ trì tuyên truyền về ASEAN. Kinh phí do ngân sách tỉnh bảo đảm."
    payload = {"chunk_id": "c", "doc_id": "d", "source": "kh.docx", "char_start": 0, "title": "Kế hoạch",
               "section": "", "text": text}
    hit = SearchHit.from_payload(payload, 1.0)
    gen = LLMGenerator(llm=None, answerer=StubAnswerer())
    fallback = Answer("x", [], True, "q")
    out = gen.finish("Ai chủ trì tuyên truyền về ASEAN?",
                     "Sở Thông tin và Truyền thông chủ trì tuyên truyền về ASEAN [1]. Kinh phí do ngân sách tỉnh bảo đảm [1].",
                     [Passage(1, hit, text)], fallback)
    assert out.debug.get("llm") == "ok" and "chủ trì" in out.text and "Kinh phí" not in out.text
    assert any("verifier" in d["reason"] for d in out.debug["llm_dropped"])


# --- the real corpus ----------------------------------------------------------------------------

def _short_first_line(out: dict, limit: int = 120) -> str:
    """The reply's first line: the answer, short, with its [n] pointing at a real citation."""
    line = first_line(out["answer"])
    assert len(line) <= limit, line
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", line)]
    assert numbers and all(1 <= n <= len(out["citations"]) for n in numbers), out
    return line


@pytest.mark.xfail(reason="issue 14: at the shipped operating point (precision 0.80 on the dev split) the verifier gives "
                   "this near miss P 0.59 against a threshold of 0.57 and answers it; test_api's near misses are refused",
                   strict=False)
def test_a_near_miss_is_refused_with_the_closest_documents(services) -> None:
    # Same words as the decree's size clause, another kind of zone: the documents do not say.
    out = ask(services, "Theo Nghị định 32/2024/NĐ-CP, khu công nghệ cao có quy mô diện tích tối thiểu bao nhiêu ha?")
    assert not out["grounded"] and not out["citations"]
    assert out["answer"].startswith("Các tài liệu hiện có không đề cập")
    assert "Các văn bản gần nhất với câu hỏi: «Nghị định" in out["answer"]
    assert out["related"] and all(not re.match(r"^\W*\d{1,2}[/:]", d["title"]) for d in out["related"])


def test_a_general_question_is_told_what_the_assistant_answers_from(services) -> None:
    from bot.answer.refusal import HOLDINGS

    out = ask(services, "ASEAN có bao nhiêu nước thành viên?")
    assert not out["grounded"] and HOLDINGS in out["answer"]
    # Dated web pages are named by what they are, never by their dateline.
    assert "lúc 11:33" not in out["answer"]


@pytest.mark.parametrize("question, expected, limit", [
    # a figure (the bound asked for, not the other one in the same sentence)
    ("Theo Nghị định 32/2024/NĐ-CP, cụm công nghiệp ở huyện miền núi có quy mô tối thiểu bao nhiêu ha?",
     "không dưới 05 ha", 40),
    # a date, from the clause that says when the document takes effect
    ("Thông tư 14/2024/TT-BCT có hiệu lực từ ngày nào?", "01 tháng 10 năm 2024", 90),
    # … and for how long, from the same clause
    ("Hiệp định vận tải đường bộ Việt Nam - Trung Quốc có hiệu lực bao lâu?", "thời hạn 3 năm", 90),
    # a name, from the signature
    ("Ai ký Nghị định 32/2024/NĐ-CP?", "Trần Hồng Hà", 100),
    # a number (số hiệu)
    ("Kế hoạch tuyên truyền ASEAN của Quảng Ninh có số hiệu là gì?", "159/KH-UBND", 40),
    # a unit, from the plan's assignment
    ("Ở Đông Sơn, đơn vị nào chủ trì thu thập thông tin, viết tin bài về ASEAN?",
     "Trung tâm Văn hoá, Thông tin, Thể thao và Du lịch huyện", 110),
])
def test_the_first_sentence_is_the_answer(services, question, expected, limit) -> None:
    out = ask(services, question)
    assert out["grounded"], out
    line = _short_first_line(out, limit)
    assert expected.lower() in line.lower(), line
    # The quote is in the citation card, not pasted after the answer.
    assert len(out["answer"]) <= 420


def test_yes_no_definition_and_list_answers_come_first(services) -> None:
    out = ask(services, "Theo Nghị định 32/2024/NĐ-CP, cụm công nghiệp có được có dân cư sinh sống không?")
    assert out["grounded"] and first_line(out["answer"]).startswith("Không [1]")
    assert "không có dân cư sinh sống" in out["answer"].split("\n")[1]  # the one supporting sentence
    assert out["answer"].count("\n") <= 1
    out = ask(services, "Theo Nghị định 32/2024/NĐ-CP, tỷ lệ lấp đầy của cụm công nghiệp là gì?")
    assert out["grounded"] and out["answer"].startswith("Tỷ lệ lấp đầy của cụm công nghiệp là tỷ lệ %")
    assert not out["answer"].startswith("7.")  # the clause's numbering stays in the card
    # a yes/no around a content question: yes, and what the document lists
    out = ask(services, "kế hoạch tuyên truyền ASEAN của Tây Ninh có làm gì cho đối tượng giới trẻ không?")
    assert out["grounded"] and out["answer"].startswith("Có: ")
    assert "cuộc thi tìm hiểu về ASEAN" in out["answer"] and "Góc ASEAN tại các thư viện, bảo tàng" in out["answer"]
    out = ask(services, "Quảng Ninh tuyên truyền ASEAN trên những hạ tầng truyền thông nào?")
    if out["grounded"] and out["answer"].startswith("Gồm:"):
        assert ";" in first_line(out["answer"])  # the list's items, one after another


def test_a_term_the_document_defines_is_answered_with_its_own_words(services) -> None:
    # "(sau đây gọi là ACCSM)": the document gives the abbreviation its words
    for question in ("ACCSM là gì?", "trong Quyết định 1117/QĐ-BNV hay nhắc ACCSM, là cơ chế gì vậy?"):
        out = ask(services, question)
        assert out["grounded"], out
        assert out["answer"].startswith("ACCSM là cơ chế hợp tác ASEAN do Bộ Nội vụ phụ trách về các vấn đề công vụ [1]")
        assert quoted_exactly(services, out["citations"][0]) and "gọi là ACCSM" in out["citations"][0]["quote"]


def test_parallel_cases_are_told_apart_by_the_word_asked(services) -> None:
    # "1. Thành lập … phải đáp ứng các điều kiện sau:" and "2. Mở rộng … các điều kiện sau:": the
    # case the question names answers, with its whole list even where the chunker cut it
    out = ask(services, "Theo Nghị định 32/2024, mở rộng cụm công nghiệp phải đáp ứng những điều kiện gì?")
    assert out["grounded"] and out["answer"].startswith("Gồm: Tổng diện tích cụm công nghiệp sau khi mở rộng")
    assert "tỷ lệ lấp đầy ít nhất 60%" in out["answer"] and "Hoàn thành xây dựng" in out["answer"]
    assert "2. Mở rộng cụm công nghiệp" in out["citations"][0]["quote"]
    out = ask(services, "Muốn mở rộng cụm công nghiệp theo Nghị định 32/2024 thì phải đáp ứng những điều kiện gì?")
    # Whether to answer is the verifier's (the 2026-12-07 model puts this one just under its
    # threshold); an answer is the case asked, never "1. Thành lập".
    if out["grounded"]:
        assert out["answer"].startswith("Gồm: Tổng diện tích cụm công nghiệp sau khi mở rộng")
    out = ask(services, "Theo Nghị định 32/2024, thành lập cụm công nghiệp phải đáp ứng những điều kiện gì?")
    assert out["grounded"] and "Có trong Danh mục các cụm công nghiệp" in out["answer"]
    assert "sau khi mở rộng" not in out["answer"]
    # many things asked ("những điều kiện gì") and one of them matched best: all of them
    out = ask(services, "Muốn thành lập cụm công nghiệp mới thì phải đáp ứng những điều kiện gì theo Nghị định 32/2024/NĐ-CP?")
    assert out["grounded"] and out["answer"].startswith("Gồm: Có trong Danh mục các cụm công nghiệp")
    assert "tỷ lệ lấp đầy trung bình" in out["answer"] and "sau khi mở rộng" not in out["answer"]


def test_a_twin_ranked_first_gives_way_to_the_case_asked(services) -> None:
    # The verifier judges each case on its own; when it ranks the twin first, contrast puts the
    # case whose word the question holds in its place, with the twin's confidence.
    from bot.answer.contrast import contrast, frame

    answerer = services.chat.answerer
    q = answerer.query("Theo Nghị định 32/2024, mở rộng cụm công nghiệp phải đáp ứng những điều kiện gì?")
    judged = answerer.judge(answerer.propose(q, services.chat.retrieve(q)).scored)
    twin = next(s for s in judged if frame(s.cand).startswith("1. Thành lập"))
    twin.p = 1.0
    out = contrast(q, [twin] + [s for s in judged if s is not twin])
    assert frame(out[0].cand).startswith("2. Mở rộng") and out[0].p == 1.0


def test_a_false_premise_gets_what_the_document_says(services) -> None:
    out = ask(services, "Kế hoạch 2502/KH-UBND của Quảng Ninh gồm những nội dung gì?")
    assert not out["grounded"]
    assert "Tây Ninh" in out["answer"] and "không phải của Quảng Ninh" in out["answer"]
    assert out["citations"] and "Tây Ninh" in out["citations"][0]["quote"]
    assert re.search(r"\[1\]", out["answer"])


def test_the_document_checks_cache_stays_bounded_and_answers_the_question_that_fills_it() -> None:
    # A full cache is cleared before the new entry is stored, never after (a KeyError once cost a
    # training run at its 5,000th pair).
    from types import SimpleNamespace

    from bot.answer.verifier import FeatureBuilder

    answerer = SimpleNamespace(missing_units=lambda q, d: [], missing_names=lambda q, d: ["X"], doc_terms=lambda d: set())
    builder = FeatureBuilder(answerer)
    builder._doc_checks = {(str(i), "d"): (False, False, False) for i in range(5000)}
    q = SimpleNamespace(question="Sở X làm gì?", province=None)
    assert builder._doc_checks_for(q, "d", "") == (False, True, False)
    assert len(builder._doc_checks) == 1
