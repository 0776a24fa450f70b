"""Who owns what: every task a plan assigns, with its lead, partner, focal and guiding units,
its deadline and whom it reports to, each pointing at the exact words that assign it.

Plans state ownership in a few shapes, all read from the parsed structure:

1. **Assignment lines.** An item (or, where an excerpt lost its sub-headings, each run of
   paragraphs inside it) is closed by "Đơn vị chủ trì: …", "Đơn vị phối hợp: …", "Đơn vị đầu mối:
   …", "Đơn vị định hướng thông tin: …", "Thời gian thực hiện: …" lines (several keys may share
   one line: "Cơ quan chủ trì: X; cơ quan phối hợp: Y; thời gian: Z"). One task per run.
2. **Unit-headed duties.** A heading or paragraph naming a unit ("1. Phòng Văn hoá và Thông tin
   huyện:", "8. Ủy ban nhân dân các tỉnh, thành phố", "- Sở Tư pháp: …", "2. Trạm … thực hiện
   các nhiệm vụ sau:", "Điều 30. Trách nhiệm của Bộ Công Thương") heads that unit's duties: each
   paragraph or sub-item below it, or the words after its colon, is one task it leads.
3. **Narrative sentences.** "Giao Vụ Hợp tác quốc tế chủ trì …", "chỉ đạo các cơ sở giáo dục tổ
   chức …", "Sở X chủ trì, phối hợp với Sở Y …", "… do VTV chủ trì", and roles in a closing
   parenthesis "(Sở X chủ trì; các sở, ngành phối hợp; thời gian: quý II/2022)". A reporting
   clause ("báo cáo … gửi về Sở X (trước ngày 10/11 hằng năm)") is a task of its own, and "để
   tổng hợp, báo cáo Y" after it is X's task.
4. **Task tables.** Rows under a header with a "chủ trì" column ("Nhiệm vụ | Cơ quan chủ trì |
   Cơ quan phối hợp | Thời gian hoàn thành").

Precision comes first: a unit is only ever a lead when the document puts it there in one of
these shapes; report recipients ("gửi về Sở …"), past events ("Sở X đã tổ chức …"), issuing
formulas ("Chính phủ ban hành Nghị định …"), aims ("Mục đích, yêu cầu") and vague groups ("các
cơ quan, đơn vị") are never leads.

The grammar of these shapes lives in :mod:`ingest.assignments` (lines, unit headings, tables),
:mod:`ingest.assignment_sentences` (narrative sentences) and :mod:`ingest.deadlines`;
:mod:`ingest.narrative` reads shape 3 paragraph by paragraph. This module walks a document's
items, decides which shape each one uses, and turns what it finds into :class:`Task` rows.
"""
from __future__ import annotations

import re

from ingest.actors import defined_actor_terms, document_terms
from ingest.assignment_sentences import (
    clause_roles,
    cooperating_subject,
    has_doer,
    loose_roles,
    report_recipients,
)
from ingest.assignments import (
    BULLET,
    ROLES,
    add_unique,
    duty_context,
    generic_intro,
    intro_duty,
    is_goal_section,
    is_line,
    line_assignments,
    merge_roles,
    role_value,
    table_cells,
    table_columns,
    unit_heading,
)
from ingest.deadlines import deadline_data, deadline_value, find_deadline
from ingest.narrative import ANNOUNCES_LIST, ARTICLE_LABEL, FORM_BLANK, NOT_A_TASK, NarrativeReader, sentence_spans
from ingest.recipients import partners_by_recipients
from ingest.report_regimes import report_records
from ingest.structure import Item, Paragraph
from ingest.task_record import Task, _summary, _task_id
from ingest.tables import column_role, is_assignment_header
from ingest.unit_match import document_scope
from ingest.unit_names import unit_key

# A letter asks a handful of things; a plan or decree with more tasks lists its partners itself.
_LETTER_TASKS = 5

# --- the extractor ------------------------------------------------------------------------------

class _Extractor(NarrativeReader):
    def __init__(self, doc):
        self.doc = doc
        self.text: str = doc.text
        self.scope = document_scope(doc.meta, doc.text)
        self.title = getattr(doc.meta, "title", "") or ""
        self.tasks: list[Task] = []
        self.carried: list[str] = []

    def emit(self, *, item: Item, task: str, start: int, end: int, page: int | None, roles: dict[str, list[str]],
             deadline: str | None, shape: str, task_start: int | None = None, task_end: int | None = None,
             context: str = "", report_to: list[str] | None = None) -> None:
        quote = self.text[start:end]
        if not any(roles.get(r) for r in ROLES) or FORM_BLANK.search(quote):
            return  # no doer, or a form to fill in ("[Tên khách hàng] có trách nhiệm …", "……")
        t = Task(
            task_id=_task_id(self.doc.doc_id, start, end, quote),
            doc_id=self.doc.doc_id, source=self.doc.source, section=item.label, task=_summary(task),
            deadline=deadline or None, deadline_data=deadline_data(deadline), page=page, quote=quote,
            char_start=start, char_end=end,
            scope=self.scope, shape=shape,
            task_start=min(start if task_start is None else task_start, start),
            task_end=max(end if task_end is None else task_end, end),
            context=context, doc_title=self.title, report_to=list(report_to or []),
        )
        for role in ROLES:
            add_unique(t.units(role), roles.get(role, []))
        self.tasks.append(t)

    # -- shape 1: assignment lines --

    def lines(self, item: Item, paragraphs: list[Paragraph]) -> list[Paragraph]:
        """Tasks closed by assignment lines; returns the paragraphs no line closes."""
        segments: list[list[Paragraph]] = [[]]
        for para in paragraphs:
            prev = segments[-1][-1] if segments[-1] else None
            if prev is not None and is_line(prev) and not is_line(para):
                segments.append([])
            segments[-1].append(para)
        leftover: list[Paragraph] = []
        for i, seg in enumerate(segments):
            lines = [p for p in seg if is_line(p)]
            content = [p for p in seg if not is_line(p) and p.kind != "heading"]
            if not lines:
                leftover.extend(content)
                continue
            # "- Nội dung triển khai:" only labels what follows
            described = [p for p in content if not (p.text.rstrip().endswith(":") and len(p.text) < 60)] or content
            roles: dict[str, list[str]] = {r: [] for r in ROLES}
            deadline = None
            stated: set[str] = set()
            for para in lines:
                for role, value in line_assignments(para.text):
                    stated.add(role)
                    if role == "deadline":
                        deadline = deadline or deadline_value(value)
                    else:
                        merge_roles(roles, role_value(value, role))
            # The block's own words may name partners or a guiding body the lines leave out.
            for para in content:
                loose = loose_roles(para.text) or {}
                for role in ("partner", "guiding"):
                    if loose.get(role) and role not in stated:
                        add_unique(roles[role], loose[role])
            first_line, last_line = lines[0], lines[-1]
            start, end = first_line.start, last_line.start + len(last_line.text)
            if i == 0 and item.title:
                task = item.title if not content or len(item.title) > 25 else f"{item.title}: {_summary(content[0].text, 150)}"
            elif described:
                task = described[0].text
            else:
                task = item.title or first_line.text
            body_start = seg[0].start
            self.emit(item=item, task=task, start=start, end=end, page=first_line.page, roles=roles,
                      deadline=deadline, shape="lines", task_start=body_start, task_end=end)
        return leftover

    # -- reporting regimes: a report's record of labelled fields --

    def report_records(self, items: list[Item]) -> set[int]:
        """One task per report a reporting regime lays down (ingest/report_regimes.py): its
        reporter leads, its recipient is reported to, its deadline is the task's. Returns the
        indexes of the field items, which no other shape reads."""
        consumed: set[int] = set()
        for record in report_records(items):
            fields = record.fields
            roles = role_value(fields["lead"].value, "lead")
            recipients = role_value(fields["report_to"].value, "lead").get("lead", []) if "report_to" in fields else []
            deadline = deadline_value(fields["deadline"].value) if "deadline" in fields else None
            task = record.item.title or (fields["name"].value if "name" in fields else "Báo cáo")
            stated = [f for role, f in fields.items() if role != "name"]
            start, end = min(f.start for f in stated), max(f.end for f in stated)
            heading = record.item.paragraphs[0] if record.item.paragraphs else None
            self.emit(item=record.item, task=task, start=start, end=end, page=fields["lead"].page, roles=roles,
                      deadline=deadline, shape="lines", task_start=heading.start if heading else start, task_end=end,
                      report_to=recipients)
            consumed.update(record.consumed)
        return consumed

    # -- tables with role columns --

    def tables(self, item: Item) -> set[int]:
        """Rows of assignment tables (a task column and a lead column, by their header words);
        returns the consumed paragraph starts."""
        used: set[int] = set()
        cols: dict[str, int] | None = None
        width = 0
        for para in item.paragraphs:
            if para.kind != "table_row":
                cols = None
                continue
            if para.cells is not None:
                if is_assignment_header([h for h, _ in para.cells]):
                    used.add(para.start)
                    self.table_row(item, para)
                continue
            # a row stored without its cells (an old ledger's text): the header row says the columns
            header = table_columns(para.text)
            if header:
                cols, width = header, len(table_cells(para.text))
                used.add(para.start)
                continue
            cells = table_cells(para.text)
            if cols is None or len(cells) != width:
                continue  # merged or empty cells: columns cannot be trusted
            used.add(para.start)
            self.table_row(item, para, [(next((r for r, i in cols.items() if i == k), ""), c)
                                        for k, c in enumerate(cells)], roles_given=True)
        return used

    def table_row(self, item: Item, para: Paragraph, cells: list[tuple[str, str]] | None = None,
                  roles_given: bool = False) -> None:
        values: dict[str, list[str]] = {}
        for header, value in cells if cells is not None else para.cells or []:
            role = header if roles_given else column_role(header)
            if role and value.strip():
                values.setdefault(role, []).append(value.strip())
        task = " ".join(values.get("task", []))
        if not task:
            return
        roles: dict[str, list[str]] = {r: [] for r in ROLES}
        for value in values.get("lead", []):
            merge_roles(roles, role_value(value, "lead"))
        for role in ("partner", "focal"):
            for value in values.get(role, []):
                merge_roles(roles, role_value(value, role))
        if not has_doer(roles):
            # a "Ghi chú" cell may assign: "Bộ Công Thương chủ trì thực hiện"
            for value in values.get("note", []):
                note = clause_roles(value)
                if has_doer(note):
                    merge_roles(roles, note)
        deadline = "; ".join(values.get("deadline", [])) or None
        self.emit(item=item, task=task, start=para.start, end=para.start + len(para.text), page=para.page,
                  roles=roles, deadline=deadline, shape="table")

    # -- shape 2: unit-headed duties --

    def duty(self, item: Item, units: list[str], text: str, start: int, page: int | None, context: str,
             partners: list[str] | None = None) -> None:
        body = text.strip()
        if len(body) < 12 or NOT_A_TASK.search(body) or body.endswith(":"):
            return  # too short, a closing formula, or an intro whose bullets are the duties
        # A unit asked to direct others keeps the duty; one that hands it on ("giao …") does not.
        own = clause_roles(body, allow_led_by=False, directives=("giao", "phân công", "ủy quyền"))
        if has_doer(own):
            # "Giao Phòng X chủ trì …" under a unit: the sentence names its own doer
            self.narrative(item, text, start, page)
            return
        units = cooperating_subject(body, units)  # "a) Bộ Tài chính phối hợp với Bộ X …" under a group
        roles: dict[str, list[str]] = {"lead": list(units), "partner": list(partners or []), "focal": [], "guiding": []}
        if own:
            lead_keys = {unit_key(u) for u in units}
            add_unique(roles["partner"], [p for p in own.get("partner", []) if unit_key(p) not in lead_keys])
            add_unique(roles["guiding"], own.get("guiding", []))
        found = find_deadline(body)
        end = start + len(text.rstrip())
        self.emit(item=item, task=body, start=start, end=end, page=page, roles=roles,
                  deadline=found[0] if found else None, shape="unit_heading", context=context,
                  report_to=report_recipients(body))

    def body(self, item: Item, paragraphs: list[Paragraph], units: list[str] | None,
             context: str, partners: list[str] | None = None) -> tuple[list[str], str] | None:
        """Body paragraphs: duties of ``units`` when given, else narrative; an inline "- Sở X: …"
        paragraph is that unit's duty, and a bare "- Sở X:" heads the deeper bullets after it.
        Returns the units (and their intro) when the last paragraph introduces duties, for the
        sub-items below: "Trường hợp …, Đơn vị X có trách nhiệm:" over "1. …", "2. …"."""
        para_units: list[str] | None = None
        para_marker = ""
        para_context = ""
        trailing: tuple[list[str], str] | None = None
        # "Chủ trì, phối hợp với Y thực hiện:" — Y partners the points below (self.carried for sub-items)
        carried: list[str] = list(partners or [])
        for para in paragraphs:
            if para.kind in ("heading", "assignment"):
                continue
            if para.kind == "table_row" and (units is not None or para_units is not None):
                continue  # a data table under a unit lists figures, not that unit's duties
            marker = (BULLET.match(para.text).group(0).strip() if BULLET.match(para.text) else "")
            trailing = None
            inline = unit_heading(para.text, in_duties=duty_context(item))
            if inline is not None:
                sub_units, rest, rest_at = inline
                if rest:
                    self.duty(item, sub_units, rest, para.start + rest_at, para.page, para.text[:rest_at].strip())
                    para_units = None
                else:
                    para_units, para_marker, para_context = sub_units, marker[:1], para.text
                    trailing = (sub_units, para.text)
                continue
            if para_units is not None and marker[:1] == para_marker and marker:
                para_units = None  # a sibling bullet: the unit's list has ended
            if ANNOUNCES_LIST.search(para.text):
                # "Giao Sở X thực hiện các nội dung sau:" — the doer of the bullets below
                last = sentence_spans(para.text)[-1]
                intro_text = para.text[last[0]:last[1]].rstrip(" :")
                intro = clause_roles(intro_text, allow_led_by=False)
                if has_doer(intro) and generic_intro(intro_text):
                    para_units = intro.get("lead") or intro.get("focal")
                    para_marker, para_context = marker[:1], para.text
                    trailing = (para_units, para.text)
                    continue
                # otherwise the intro is a duty of its own ("X có trách nhiệm cung cấp các thông
                # tin sau:") and the list below is its content: read as a sentence
            if para_units is not None:
                self.duty(item, para_units, para.text, para.start, para.page, para_context)
            elif units is not None:
                if para.text.rstrip().endswith(":") and generic_intro(para.text):
                    carried = [p for p in (loose_roles(para.text) or {}).get("partner", []) if p not in units]
                    continue
                self.duty(item, units, para.text, para.start, para.page, context, partners=carried)
            elif not re.match(r"^\W*[Vv]í dụ\b", para.text):  # a worked example assigns nothing
                self.narrative(item, para.text, para.start, para.page)
        self.carried = carried
        return trailing

    # -- shape 3: narrative sentences: ingest.narrative --


    # -- driver --

    def run(self) -> list[Task]:
        items = [it for it in self.doc.structure.items if it.kind not in ("recipients", "signature")]
        # Unit-headed sections: path (as a tuple) → (units, heading text); their sub-items inherit.
        unit_heads: dict[tuple, tuple[list[str], str]] = {}
        head_partners: dict[tuple, list[str]] = {}
        consumed = self.report_records(items)
        for index, item in enumerate(items):
            if index in consumed:
                continue
            heading_para = item.paragraphs[0] if item.paragraphs and item.paragraphs[0].kind == "heading" else None
            used = self.tables(item) if any(p.kind == "table_row" for p in item.paragraphs) else set()
            paragraphs = [p for p in item.paragraphs if p.start not in used]
            body = [p for p in paragraphs if p.kind != "heading"]
            inherited = None
            for depth in range(len(item.path) - 1, 0, -1):
                key = tuple(item.path[:depth])
                if key in unit_heads:
                    inherited = unit_heads[key]
                    self.carried = head_partners.get(key, [])
                    break
            # Shape 1 first: an item with assignment lines is decided by them.
            if any(is_line(p) for p in paragraphs):
                for para in self.lines(item, paragraphs):
                    self.narrative(item, para.text, para.start, para.page)
                continue
            own = (unit_heading(heading_para.text, heading=True, in_duties=duty_context(item))
                   if heading_para is not None else None)
            if own is not None:
                units, rest, rest_at = own
                unit_heads[tuple(item.path)] = (units, heading_para.text)
                if rest:
                    self.duty(item, units, rest, heading_para.start + rest_at, heading_para.page, heading_para.text)
                self.body(item, body, units, heading_para.text)
                head_partners[tuple(item.path)] = self.carried
                continue
            if (heading_para is not None and inherited is None and heading_para.text.rstrip().endswith(":")
                    and generic_intro(heading_para.text)):
                # "2. Giao Sở X thực hiện các nhiệm vụ sau:": its sub-items are the doer's duties
                intro = clause_roles(ARTICLE_LABEL.sub("", BULLET.sub("", heading_para.text)).rstrip(" :"),
                                     allow_led_by=False)
                if has_doer(intro):
                    unit_heads[tuple(item.path)] = (intro.get("lead") or intro.get("focal"), heading_para.text)
                    stated = intro_duty(heading_para.text)
                    if stated is not None:
                        self.narrative(item, stated, heading_para.start, heading_para.page)
                    self.body(item, body, None, "")
                    continue
            if inherited is not None:
                units, context = inherited
                carried = self.carried
                if heading_para is not None:
                    # a sub-item under a unit: its heading is a duty
                    self.duty(item, units, heading_para.text, heading_para.start, heading_para.page, context,
                              partners=carried)
                self.body(item, body, units, context, partners=carried)
                continue
            if is_goal_section(item):
                continue  # aims and requirements ("Mục đích, yêu cầu") state no assignments of record
            if heading_para is not None and (len(heading_para.text) > 60 or heading_para.text.rstrip().endswith(".")):
                # a long numbered line, or one that ends like a sentence ("3. Sở Nội vụ làm đầu mối
                # tổng hợp, báo cáo UBND tỉnh."), is a sentence that may assign, not only a title
                self.narrative(item, heading_para.text, heading_para.start, heading_para.page)
            trailing = self.body(item, body, None, "")
            if trailing is not None:
                unit_heads[tuple(item.path)] = trailing
        self.tasks.sort(key=lambda t: t.char_start)
        self.recipient_partners()
        return self.tasks

    def recipient_partners(self) -> None:
        """A short letter's "Nơi nhận" sends copies "để phối hợp": those recipients are partners of
        each of its own requests, beside any the request names ("phối hợp với cơ quan liên quan")."""
        if not self.tasks or len(self.tasks) > _LETTER_TASKS:
            return
        partners = [r.name for r in partners_by_recipients(self.doc)]
        for t in self.tasks:
            if re.search(r"[“\"]|quy định\s*:", t.quote):
                continue  # a provision the letter quotes ("… quy định: “…”") is not what the letter asks
            if t.lead_units:
                leads = {unit_key(u) for u in t.lead_units}
                add_unique(t.partner_units, [p for p in partners if unit_key(p) not in leads])


def extract_tasks(doc) -> list[Task]:
    """Every task ``doc`` (a :class:`ingest.pipeline.ParsedDocument`) assigns to a named unit."""
    with document_terms(defined_actor_terms(doc.text)):
        return _Extractor(doc).run()


def tasks_for_document(doc) -> list[dict]:
    """The tasks as JSON-ready dicts, for the ledger's per-document record (key ``tasks``)."""
    return [t.to_dict() for t in extract_tasks(doc)]
