"""Themes: the fixed "pillars" a summary grouped by pillar is filed under (ASEAN's three pillars,
COVID-19 cooperation, purpose, forms of communication, organisation), the themes a topic names,
and the classifier that files each statement under one.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from bot.summary.embeddings import _embed
from bot.summary.statements import _Stmt, _fold_words


@dataclass(frozen=True)
class Theme:
    key: str
    heading: str
    heading_words: tuple[str, ...]  # a section heading with one of these files a sentence here
    words: tuple[str, ...]  # vocabulary of the theme
    description: str  # what the prototype embedding is made from


THEMES: tuple[Theme, ...] = (
    Theme("purpose", "Mục đích, yêu cầu",
          ("mục đích", "yêu cầu", "mục tiêu", "quan điểm", "sự cần thiết"),
          ("mục đích", "mục tiêu", "yêu cầu", "nâng cao nhận thức", "hiểu biết", "đồng thuận", "niềm tin",
           "sự ủng hộ", "ý thức", "quán triệt", "nhận thức"),
          "Mục đích, yêu cầu của kế hoạch: nâng cao nhận thức, hiểu biết, tạo sự đồng thuận, niềm tin và ủng hộ "
          "của người dân; yêu cầu triển khai đồng bộ, thiết thực, hiệu quả."),
    Theme("politics", "Trụ cột Chính trị – An ninh",
          ("chính trị - an ninh", "chính trị – an ninh", "chính trị-an ninh", "an ninh", "quốc phòng"),
          ("an ninh", "chính trị", "quốc phòng", "hòa bình", "ổn định", "đối ngoại", "ngoại giao", "biển đông",
           "an ninh biển", "an ninh mạng", "hiến chương", "phi truyền thống", "chủ quyền", "khủng bố",
           "tội phạm xuyên quốc gia", "thù địch", "xuyên tạc", "phản bác", "luận điệu", "hiệp ước"),
          "Trụ cột Chính trị - An ninh: hòa bình, an ninh, ổn định khu vực, quan hệ đối ngoại, an ninh biển, "
          "an ninh mạng, thách thức an ninh phi truyền thống, Hiến chương ASEAN."),
    Theme("economy", "Trụ cột Kinh tế",
          ("kinh tế",),
          ("kinh tế", "thương mại", "đầu tư", "doanh nghiệp", "fta", "xuất khẩu", "nhập khẩu", "thị trường",
           "hải quan", "xuất xứ", "chuỗi cung ứng", "thương mại điện tử", "kinh doanh", "tăng trưởng", "msme",
           "rcep", "thuế quan", "logistics", "chuyển đổi số", "doanh nhân", "tài chính", "hàng hóa", "sản xuất"),
          "Trụ cột Kinh tế: thương mại, đầu tư, doanh nghiệp, hiệp định thương mại tự do FTA, xuất nhập khẩu, "
          "thị trường, hải quan, chuỗi cung ứng, thương mại điện tử."),
    Theme("society", "Trụ cột Văn hóa – Xã hội",
          ("văn hóa - xã hội", "văn hóa – xã hội", "văn hoá - xã hội", "văn hoá – xã hội", "bản sắc"),
          ("văn hóa", "xã hội", "giáo dục", "lao động", "việc làm", "an sinh", "môi trường", "du lịch",
           "thanh niên", "phụ nữ", "trẻ em", "bình đẳng giới", "di sản", "lịch sử", "bản sắc", "con người",
           "thể thao", "thiên tai", "nhóm yếu thế", "phát triển bền vững", "nguồn nhân lực", "công vụ"),
          "Trụ cột Văn hóa - Xã hội: văn hóa, giáo dục, lao động việc làm, an sinh xã hội, môi trường, "
          "bản sắc và con người ASEAN, du lịch, thanh niên, phụ nữ, trẻ em."),
    Theme("covid", "Hợp tác ứng phó COVID-19",
          ("covid", "đại dịch", "dịch bệnh"),
          ("covid", "đại dịch", "dịch bệnh", "vắc xin", "vaccine", "vật tư y tế", "phục hồi",
           "y tế khẩn cấp", "phòng chống dịch", "hành lang đi lại"),
          "Hợp tác ASEAN ứng phó đại dịch COVID-19: quỹ ứng phó, vật tư y tế, phục hồi sau đại dịch, "
          "y tế khẩn cấp, dịch bệnh."),
    Theme("forms", "Hình thức tuyên truyền",
          ("hình thức", "phương thức tuyên truyền", "phương tiện thông tin", "phương tiện truyền thông",
           "hạ tầng truyền thông", "kênh thông tin", "kênh truyền thông"),
          ("báo chí", "báo in", "báo điện tử", "phát thanh", "truyền hình", "truyền thanh", "mạng xã hội",
           "facebook", "zalo", "youtube", "fanpage", "cổng thông tin", "trang thông tin", "pano", "pa nô",
           "áp phích", "băng rôn", "cổ động", "trực quan", "lưu động", "loa", "bảng tin", "hội nghị", "hội thảo",
           "tọa đàm", "cuộc thi", "triển lãm", "ấn phẩm", "tờ rơi", "infographic", "video", "chuyên mục",
           "chuyên trang", "tập huấn", "phóng sự", "livestream", "ứng dụng", "email", "wifi", "tin, bài",
           "sân khấu", "văn nghệ", "hội chợ", "giao lưu", "internet", "website"),
          "Hình thức tuyên truyền: báo chí, phát thanh, truyền hình, mạng xã hội, cổng thông tin điện tử, "
          "pano, áp phích, hội nghị, hội thảo, tọa đàm, cuộc thi, triển lãm, ấn phẩm."),
    Theme("organization", "Tổ chức thực hiện",
          ("tổ chức thực hiện", "trách nhiệm", "phân công", "kinh phí", "điều khoản thi hành", "hiệu lực"),
          # ("giao" alone would match "giao lưu", "trách nhiệm" a "thành viên có trách nhiệm")
          ("chủ trì", "phối hợp với", "đầu mối", "giao cho", "được giao", "giao nhiệm vụ", "chịu trách nhiệm",
           "báo cáo kết quả", "báo cáo định kỳ", "kinh phí", "tổng hợp kết quả", "đôn đốc", "kiểm tra",
           "giám sát", "thời hạn", "định kỳ", "xây dựng kế hoạch", "tổ chức thực hiện", "triển khai thực hiện",
           "theo dõi"),
          "Tổ chức thực hiện: đơn vị chủ trì, phối hợp, đầu mối, giao nhiệm vụ, báo cáo kết quả, kinh phí, "
          "hướng dẫn, đôn đốc, kiểm tra."),
)
OTHER_THEME = "Nội dung khác"
MAIN_THEME = "Nội dung chính"
_THEME_BY_KEY = {t.key: t for t in THEMES}

def _word_hits(folded: str, words: Iterable[str]) -> int:
    return sum(1 for w in words if _fold_words(w) in folded)


def topic_themes(topic: str) -> list[str]:
    """The themes a topic names by their words ("trụ cột Kinh tế", "hình thức", "COVID", "giao
    nhiệm vụ"); empty when it names none, or too many to mean one."""
    folded = _fold_words(topic)
    hits = []
    for t in THEMES:
        if t.key == "purpose":
            continue
        n = _word_hits(folded, t.heading_words) * 2 + _word_hits(folded, t.words)
        if t.key == "organization":
            n += 2 * bool(_ORG_TOPIC.search(folded))
        if n:
            hits.append((n, t.key))
    hits.sort(reverse=True)
    if not hits:
        return []
    return [k for n, k in hits if n >= hits[0][0]][:2]


_ORG_TOPIC = re.compile(r"\b(?:nhiem vu|giao (?:cho|nhiem vu)|phan cong|chu tri|phoi hop|trach nhiem|"
                        r"to chuc thuc hien|don vi nao|co quan nao|dau moi)\b")


class ThemeClassifier:
    """Files statements under THEMES. The prototype embeddings are made on first use and kept,
    one set per services object (the Summarizer holding this classifier)."""

    def __init__(self, services):
        self.services = services
        self._theme_vecs: np.ndarray | None = None

    def _theme_matrix(self) -> np.ndarray:
        if self._theme_vecs is None:
            self._theme_vecs = _embed(self.services.embedder, [t.description for t in THEMES])
        return self._theme_vecs

    def classify(self, stmts: list[_Stmt]) -> None:
        """Theme of each statement: its nearest section heading that names a theme, the theme's
        words in it, and its embedding's nearest theme prototype."""
        if not stmts:
            return
        protos = self._theme_matrix()
        sims = np.stack([s.emb for s in stmts]) @ protos.T
        # centre per statement: what matters is which prototype is nearest, not e5's high baseline
        sims = (sims - sims.mean(axis=1, keepdims=True)) / (sims.std(axis=1, keepdims=True) + 1e-6)
        for s, row in zip(stmts, sims):
            folded = _fold_words(s.embed_text)
            scores: dict[str, float] = {}
            head_theme = None
            for depth, h in enumerate(reversed(s.headings)):
                fh = _fold_words(h)
                for t in THEMES:
                    if _word_hits(fh, t.heading_words):
                        head_theme = (t.key, depth)
                        break
                if head_theme:
                    break
            kws = {t.key: _word_hits(folded, t.words) for t in THEMES}
            for i, t in enumerate(THEMES):
                kw = kws[t.key]
                scores[t.key] = 0.35 * float(row[i]) + 1.0 * (1 - math.exp(-kw / 1.5))
                if head_theme and head_theme[0] == t.key:
                    # A heading is strong evidence, not the last word: documents lose headings
                    # (a "Văn hóa – Xã hội" line under "Kinh tế" when the heading between was lost).
                    contradicted = kw == 0 and max(v for k, v in kws.items() if k != t.key) >= 1
                    bonus = 0.7 if head_theme[1] == 0 else 0.45
                    scores[t.key] += bonus * (0.3 if contradicted else 1.0)
            if s.kind == "task" or s.assignment:
                scores["organization"] += 0.8
            s.theme_scores = scores
            best = max(scores, key=scores.get)
            # Filed under a theme only on evidence in words (its own or its heading's): the
            # embedding alone would file a road-transport permit under some ASEAN pillar.
            evidence = kws[best] > 0 or (head_theme is not None and head_theme[0] == best) or (
                best == "organization" and (s.kind == "task" or s.assignment))
            s.theme = best if scores[best] >= 0.7 and evidence else ""
