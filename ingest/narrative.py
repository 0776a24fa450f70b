"""Shape 3 of :mod:`ingest.tasks`: narrative sentences, and labelled fields inside running text.

A paragraph is read sentence by sentence: the sentence grammar of
:mod:`ingest.assignment_sentences` gives each ";" clause its roles, a reporting clause becomes a task
of its own, a paragraph that opens with its unit goes on with it in later sentences that name no
subject, and a paragraph whose doer a label names (:mod:`ingest.inline_fields`) is read as a line.
:class:`NarrativeReader` is mixed into the extractor, whose ``emit`` records each task.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.action_verbs import ACTION_VERB
from ingest.actors import modal_subject
from ingest.assignment_sentences import (
    clause_roles,
    clauses,
    directing_subject,
    has_doer,
    loose_roles,
    paren_roles,
    report_recipients,
    report_segment,
)
from ingest.assignments import BULLET, ROLES, generic_intro, merge_roles, unit_heading
from ingest.deadlines import find_deadline
from ingest.inline_fields import InlineFields, inline_fields
from ingest.lang.sentences import split_sentences
from ingest.structure import Item
from ingest.unit_names import is_generic_unit, unit_key
from ingest.units import unit_list_at

# A blank of a form template: a bracketed placeholder or a dotted leader to write on.
FORM_BLANK = re.compile(r"\[\s*(?:Tên|tên|Ghi|ghi|Số|số)\b[^\]]{0,80}\]|(?:\.\s?){6,}|…{3,}|(?:…\s?){3,}")
NOT_A_TASK = re.compile(r"^(?:Trên đây là|Nơi nhận)|như sau\s*:?\s*$", re.IGNORECASE)
CLOSING = re.compile(r"^(?:Trên đây là|Nơi nhận)", re.IGNORECASE)
# "Người chịu trách nhiệm … được quy định như sau:": a definition of who, not a duty
DEFINES = re.compile(r"(?<![\wÀ-ỹ])được (?:quy định|xác định)(?![\wÀ-ỹ])", re.IGNORECASE)
# The end of a sentence that announces a list of duties: "… các nhiệm vụ sau:", "… như sau:".
ANNOUNCES_LIST = re.compile(r"(?:\b(?:sau|sau đây|như sau|gồm|bao gồm|cụ thể)|(?:nhiệm vụ|nội dung|công việc|"
                             r"hoạt động|giải pháp)[^:.;]{0,40})\s*:\s*$", re.IGNORECASE)


# "Điều 17. " before an article's own sentence: a label, not the sentence's first words
ARTICLE_LABEL = re.compile(r"^\s*Điều\s+\d+[a-zđ]?\s*[.:]\s*")


# "Trong thời hạn 10 ngày kể từ …, ", "Định kỳ hằng quý, ": an adverbial before a sentence's verb
_OPENING_ADVERBIAL = re.compile(r"\s*(?:(?:Trong|Trước|Sau|Định kỳ|Hằng|Hàng|Đến|Từ|Chậm nhất|Kể từ)[^,;.:]{0,100},\s*)?")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph (ingest/lang/sentences.py): never cut after a list number
    ("2. Các sở …"), an abbreviation ("TP. Hạ Long") or inside parentheses."""
    return split_sentences(text)


@dataclass
class Draft:
    start: int
    end: int
    roles: dict[str, list[str]]
    report_to: list[str] = field(default_factory=list)
    kind: str = "main"  # main, report (a reporting duty split off), onward (the recipient's compilation)


# --- narrative sentences -----------------------------------------------------------------------

class NarrativeReader:
    """The narrative half of the extractor; the class it is mixed into provides ``emit``,
    ``text`` and ``tasks``."""

    def inline_fields(self, item: Item, text: str, base: int, page: int | None, found: InlineFields) -> None:
        """A paragraph whose doer a label names (see :mod:`ingest.inline_fields`): the labelled
        task, and the sentences before and after the fields read as narrative."""
        before = text[:found.start]
        task = found.task or BULLET.sub("", before).strip().rstrip(".;:")
        if found.task is not None and len(BULLET.sub("", before).split()) >= 4:
            self.narrative(item, before, base, page)
        self.emit(item=item, task=task, start=base + found.start, end=base + found.end, page=page,
                  roles=found.roles, deadline=found.deadline, shape="lines",
                  task_start=base, task_end=base + found.end)
        after = text[found.end:]
        if len(after.split()) >= 4:
            lead = len(after) - len(after.lstrip(" .;"))
            self.narrative(item, after[lead:], base + found.end + lead, page)

    def narrative(self, item: Item, text: str, base: int, page: int | None) -> None:
        inline = inline_fields(text)
        if inline is not None:
            self.inline_fields(item, text, base, page, inline)
            return
        body = text.strip()
        # "… như sau:" mostly introduces a plan's own contents ("UBND huyện xây dựng Kế hoạch …
        # như sau:"); under a duty modal it is a duty whose contents follow ("X có trách nhiệm lập
        # kế hoạch … bao gồm các nội dung như sau:"), which :meth:`sentence` reads.
        if CLOSING.search(body) or NOT_A_TASK.search(body) and (modal_subject(body) is None
                                                                 or DEFINES.search(body)):
            return
        # A paragraph that opens with its subject ("1. Sở Xây dựng là cơ quan thường trực …") is
        # about that unit: its later sentences without a subject go on with it.
        bullet = BULLET.match(text)
        opening = unit_list_at(text, bullet.end() if bullet else 0)
        carried: list[str] = []
        for n, (s_start, s_end) in enumerate(sentence_spans(text)):
            before = len(self.tasks)
            self.sentence(item, text[s_start:s_end], base + s_start, page)
            named_now = [t for t in self.tasks[before:] if t.lead_units]
            if n == 0 and opening and named_now and \
                    {unit_key(u.name) for u in opening} == {unit_key(u) for u in named_now[0].lead_units}:
                carried = named_now[0].lead_units
            elif named_now:
                carried = []
            elif carried and len(self.tasks) == before:
                self.subjectless(item, text[s_start:s_end], base + s_start, page, carried)

    def subjectless(self, item: Item, sentence: str, start: int, page: int | None, subject: list[str]) -> None:
        """"Sở Xây dựng là cơ quan thường trực … . Chủ trì tổ chức xây dựng … . Trong thời hạn 10
        ngày …, chủ trì hướng dẫn …": a sentence that opens with an action verb and names no
        subject goes on with the subject of the sentence before it, in the same paragraph."""
        adverbial = _OPENING_ADVERBIAL.match(sentence)
        at = adverbial.end() if adverbial else 0
        if not ACTION_VERB.match(sentence, at) or not sentence[at:at + 1].strip():
            return
        body = sentence.rstrip().rstrip(".;:")
        if len(body[at:].split()) < 4:
            return
        roles: dict[str, list[str]] = {"lead": list(subject), "partner": [], "focal": [], "guiding": []}
        merge_roles(roles, {k: v for k, v in (loose_roles(body) or {}).items() if k in ("partner", "guiding")})
        found = find_deadline(body)
        self.emit(item=item, task=body[at:], start=start, end=start + len(body), page=page, roles=roles,
                  deadline=found[0] if found else None, shape="narrative", report_to=report_recipients(body))

    def sentence(self, item: Item, sentence: str, start: int, page: int | None) -> None:
        """One sentence: its ";" clauses share the subject of the first clause that names one;
        a reporting clause ("báo cáo … về X") is a task of its own, and "để tổng hợp, báo cáo Y"
        after it is X's task."""
        if sentence.rstrip().endswith(":"):
            # An introduction: what follows it is the content. When it hands a doer the duties
            # below it, they are read there; when the intro is itself a duty ("X có trách nhiệm
            # cung cấp các thông tin sau:", "…, X phải gửi … các tài liệu sau:"), it is one task.
            intro = sentence.rstrip().rstrip(":").rstrip()
            if generic_intro(intro) or unit_heading(sentence) is not None or not has_doer(clause_roles(intro)):
                return
            sentence = intro
        paren = paren_roles(sentence)
        if paren is not None:
            roles, deadline, opens = paren
            quote = sentence.rstrip(" ;,.")
            found = find_deadline(sentence[:opens])
            self.emit(item=item, task=sentence[:opens], start=start, end=start + len(quote), page=page, roles=roles,
                      deadline=deadline or (found[0] if found else None), shape="narrative")
            return
        current: Draft | None = None
        drafts: list[Draft] = []
        for c_start, c_end in clauses(sentence):
            clause = sentence[c_start:c_end]
            roles = clause_roles(clause)
            report = report_segment(clause)
            if has_doer(roles) and (report is None or report[0] > 0):
                cut = report[0] if report else len(clause)
                opens = 0
                directing = directing_subject(clause)
                if directing is not None and directing[1] < cut \
                        and not set(map(unit_key, directing[0])) & set(map(unit_key, roles["lead"])):
                    # "X chỉ đạo Y chủ trì …": X's duty is directing, Y's the rest
                    names, opens = directing
                    drafts.append(Draft(start + c_start, start + c_start + opens, {"lead": names}))
                current = Draft(start + c_start + opens, start + c_start + cut, roles)
                drafts.append(current)
            elif report is None:
                if current is not None:
                    current.end = start + c_end  # a further duty of the same subject
                    merge_roles(current.roles, {k: v for k, v in (roles or {}).items() if k in ("partner", "guiding")})
                elif roles:
                    drafts.append(Draft(start + c_start, start + c_end, roles))
                continue
            if report is not None:
                subject = current.roles if current is not None else (roles or {})
                r_start, r_end, recipients, onward = report
                leads = subject.get("lead") or subject.get("focal") or []
                if current is not None and current.end > start + c_start + r_start:
                    current.end = start + c_start + r_start
                if leads:
                    drafts.append(Draft(start + c_start + r_start, start + c_start + r_end,
                                         {"lead": list(leads)}, report_to=recipients, kind="report"))
                if onward is not None:
                    o_start, o_end, upward = onward
                    drafts.append(Draft(start + c_start + o_start, start + c_start + o_end,
                                         {"lead": list(recipients)}, report_to=upward, kind="onward"))
        for d in drafts:
            if not has_doer(d.roles) and not d.roles.get("guiding"):
                # coordination alone: worth a row only when it names someone ("các cơ quan, đơn vị" does not)
                if not any(not is_generic_unit(p) for p in d.roles.get("partner", [])):
                    continue
            quote = self.text[d.start:d.end].rstrip(" ;,.")
            if len(quote) < 8:
                continue
            end = d.start + len(quote)
            if d.kind == "main" and len(BULLET.sub("", quote).split()) < 4:
                continue  # only the subject is left once its report is split off
            found = find_deadline(quote)
            roles = {r: list(d.roles.get(r, [])) for r in ROLES}
            report_to = d.report_to or (report_recipients(quote) if d.kind == "main" else [])
            self.emit(item=item, task=quote, start=d.start, end=end, page=page, roles=roles,
                      deadline=found[0] if found else None, shape="narrative", report_to=report_to)
