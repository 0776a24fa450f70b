"""Tables, whatever file they come from, as blocks a reader and the task extractor understand.

Word, HTML, Markdown and PDF tables arrive here as rows of :class:`Cell` (text, spans). The
reader makes them one grid (a merged cell's text repeated in every row and column it covers),
finds the header (one or several rows of short labels, a row of column numbers "(1) | (2)"
under it, the same header repeated further down on a new page), and emits:

- the header once, as a row of its labels;
- each data row as "header: value" pairs ("Tên nhiệm vụ: … | Cơ quan chủ trì: Bộ Nội vụ | …"),
  so a chunk quoted alone still says which column each value is in, with the pairs themselves
  in :attr:`Block.cells` for the task extractor;
- in an assignment table (a task column and a lead column), a group row ("I. Nhóm nhiệm vụ về
  …", a title over the whole width) as a heading paragraph, so the rows under it get it as
  their section; a row without its own number after a numbered one is the overflow of that row
  (a page break in the source) and joins it.

Column roles come from the header's words, never from positions (:func:`column_role`). A table
with no header of its own right after an assignment table of the same width continues it (a
table split at a page break). Tables without a header row (layout, a list of numbers) keep
their plain "a | b | c" rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.document import Block
from ingest.lang.normalize import clean_text, fold_accents

# Column roles by header words (accent-folded), tried in this order: "Thời gian hoàn thành" is a
# deadline, "Cơ quan phối hợp" a partner, "Trách nhiệm thực hiện" a lead, "Nội dung thực hiện" a task.
_ROLE_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("number", re.compile(r"^(?:s?tt|so tt|so thu tu|thu tu|so)$")),
    ("deadline", re.compile(r"thoi gian|thoi han|tien do|hoan thanh|moc thoi gian|thoi diem")),
    ("partner", re.compile(r"phoi hop")),
    ("lead", re.compile(r"chu tri|(?:co quan|don vi|trach nhiem|bo phan|to chuc|nguoi) (?:thuc hien|trien khai|phu trach)|"
                        r"phu trach|don vi thuc hien|chiu trach nhiem|^trach nhiem$|dau moi")),
    ("product", re.compile(r"san pham|ket qua|hinh thuc van ban|dau ra")),
    ("note", re.compile(r"ghi chu")),
    ("task", re.compile(r"nhiem vu|noi dung|hoat dong|cong viec|ten (?:de an|du an|nhiem vu|chuong trinh|van ban)|"
                        r"giai phap|de an|chuong trinh|danh muc|viec|cac buoc|trinh tu")),
]
_MAX_HEADER_CELL = 80
_NUMBER_ROW = re.compile(r"^\(?\d{1,2}\)?$|^\([a-zđ0-9]+\)$")
_ROMAN = re.compile(r"^(?:[IVX]{1,5}|[A-ZĐ])[.)]?$")
_ORDINAL = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*|[IVX]{1,5}|[a-zđ]|[A-ZĐ])[.)]?$")
_MARKUP = re.compile(r"\*\*|__|<br\s*/?>", re.IGNORECASE)


@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    continues: bool = False  # a Word vMerge continuation: the cell above's text goes on here


def column_role(header: str) -> str | None:
    """"Cơ quan chủ trì" → lead, "Thời gian hoàn thành" → deadline, "Tên nhiệm vụ" → task …"""
    low = " ".join(fold_accents(header).lower().replace("đ", "d").split()).strip(" :.")
    if not low or len(low) > _MAX_HEADER_CELL:
        return None
    if "chu tri" in low and "phoi hop" in low:
        return "lead"  # "Cơ quan chủ trì, phối hợp": the cell says which is which
    for role, pattern in _ROLE_WORDS:
        if pattern.search(low):
            return role
    return None


def is_assignment_header(headers: list[str]) -> bool:
    roles = {column_role(h) for h in headers}
    return "task" in roles and "lead" in roles


def cell_text(text: str) -> str:
    """A cell's lines as one line, markup of a Markdown transcription dropped."""
    text = _MARKUP.sub(" ", text or "")
    return " ".join(clean_text(text).split())


def expand(rows: list[list[Cell]]) -> list[list[str]]:
    """The grid: a merged cell's text in every position it covers; short rows padded."""
    grid: list[list[str | None]] = []
    pending: dict[tuple[int, int], str] = {}  # (row, col) → text from a rowspan above
    for r, row in enumerate(rows):
        out: list[str | None] = []
        c = 0
        for cell in row:
            while (r, c) in pending:
                out.append(pending.pop((r, c)))
                c += 1
            text = cell_text(cell.text)
            if cell.continues and r > 0:
                above = grid[r - 1]
                text = above[c] if c < len(above) and above[c] is not None else text
            for k in range(max(1, cell.colspan)):
                out.append(text)
                for dr in range(1, max(1, cell.rowspan)):
                    pending[(r + dr, c + k)] = text
            c += max(1, cell.colspan)
        while (r, c) in pending:
            out.append(pending.pop((r, c)))
            c += 1
        grid.append(out)
    width = max((len(r) for r in grid), default=0)
    return [[(x or "") for x in row] + [""] * (width - len(row)) for row in grid]


def _header_like(row: list[str]) -> bool:
    filled = [c for c in row if c]
    if len(filled) < 2 or any(len(c) > _MAX_HEADER_CELL for c in filled):
        return False
    if any(re.search(r"\d{2,}", c) and not _NUMBER_ROW.match(c) for c in filled):
        return False  # data: "110 kV", "01/2025"
    return sum(1 for c in filled if column_role(c)) >= 1 or all(not c[:1].isdigit() for c in filled)


def _is_number_row(row: list[str]) -> bool:
    filled = [c for c in row if c]
    return len(filled) >= 2 and all(_NUMBER_ROW.match(c) for c in filled)


def _dedupe(values: list[str]) -> str:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return " - ".join(out)


class TableReader:
    """Turns a document's tables into blocks, remembering the last assignment header so that a
    table cut at a page break (no header of its own, same width) continues with it."""

    def __init__(self) -> None:
        self._last_header: list[str] | None = None

    def plain(self, rows: list[list[Cell]], page: int | None = None) -> list[Block]:
        """Rows as "a | b" without headers: a key/value table ("Số hiệu | 159/KH-UBND")."""
        self._last_header = None
        return [Block(text=" | ".join(c for c in row if c), page=page, kind="table_row")
                for row in expand(rows) if any(row)]

    def blocks(self, rows: list[list[Cell]], page: int | None = None) -> list[Block]:
        grid = [r for r in expand(rows) if any(r)]
        if not grid:
            return []
        width = len(grid[0])
        # The header: a row of short labels, and up to two sub-header rows under merged labels.
        n_head = 0
        while n_head < min(3, len(grid) - 1) and _header_like(grid[n_head]):
            if n_head and not self._refines(grid[:n_head], grid[n_head]):
                break
            n_head += 1
        headers = self._columns(grid[:n_head]) if n_head else None
        inherited = False
        if headers is None or not any(column_role(h) for h in headers):
            if self._last_header is not None and len(self._last_header) == width and n_head == 0:
                headers, inherited = self._last_header, True
            elif headers is None:
                self._last_header = None
                return [Block(text=" | ".join(c for c in row if c), page=page, kind="table_row") for row in grid]
        out: list[Block] = []
        if n_head and not inherited:
            labels = [h for i, h in enumerate(headers) if h and (i == 0 or headers[i - 1] != h)]
            out.append(Block(text=" | ".join(labels), page=page, kind="table_row"))
        body = grid[n_head:]
        while body and _is_number_row(body[0]):
            body = body[1:]
        assignment = is_assignment_header(headers)
        self._last_header = headers if assignment else None
        roles = [column_role(h) for h in headers]
        num_col = next((i for i, r in enumerate(roles) if r == "number"), None)
        rows_out: list[list[str]] = []
        for row in body:
            if [c for c in row] == headers or all(c == h or not c for c, h in zip(row, headers)):
                continue  # the header repeated on a new page
            if assignment and num_col is not None and rows_out and not row[num_col].strip() \
                    and self._lead_empty(row, roles):
                prev = rows_out[-1]
                for i, c in enumerate(row):
                    if c and c != prev[i]:
                        prev[i] = f"{prev[i]} {c}".strip()
                continue  # the overflow of the row above
            if assignment and self._group_row(row, roles, num_col):
                out.extend(self._flush(rows_out, headers, page))
                rows_out = []
                out.append(Block(text=self._group_title(row, num_col), page=page, kind="paragraph"))
                continue
            rows_out.append(list(row))
        out.extend(self._flush(rows_out, headers, page))
        return out

    # -- helpers --

    @staticmethod
    def _columns(head_rows: list[list[str]]) -> list[str]:
        return [_dedupe([row[i] for row in head_rows]) for i in range(len(head_rows[0]))]

    @staticmethod
    def _refines(head_rows: list[list[str]], nxt: list[str]) -> bool:
        """A sub-header row sits under a merged label: some of its cells differ from the label
        above, and the rows above repeat a label across columns."""
        top = head_rows[-1]
        repeated = any(top[i] and top[i] == top[i + 1] for i in range(len(top) - 1))
        return repeated and any(n and n != t for n, t in zip(nxt, top))

    @staticmethod
    def _lead_empty(row: list[str], roles: list[str | None]) -> bool:
        return all(not row[i].strip() for i, r in enumerate(roles) if r == "lead")

    @staticmethod
    def _group_row(row: list[str], roles: list[str | None], num_col: int | None) -> bool:
        """"I. | Nâng cao nhận thức …" with nothing in the lead, partner and deadline columns,
        or one title merged over the whole width."""
        filled = [c for c in row if c]
        if not filled:
            return False
        if len(set(filled)) == 1 and len(filled) == len(row) and len(row) > 1:
            return True
        number = row[num_col].strip() if num_col is not None else ""
        rest = [c for i, c in enumerate(row) if i != num_col]
        if len(rest) > 1 and len(set(rest)) == 1 and (not number or _ORDINAL.match(number)):
            return True  # "I. | <a title merged over the other columns>"
        empty_roles = all(not row[i] for i, r in enumerate(roles) if r in ("lead", "partner", "deadline"))
        return empty_roles and bool(_ROMAN.match(number))

    @staticmethod
    def _group_title(row: list[str], num_col: int | None) -> str:
        parts: list[str] = []
        for c in row:
            if c and c not in parts:
                parts.append(c)
        if num_col is not None and row[num_col] and _ORDINAL.match(row[num_col]):
            number = row[num_col] if row[num_col][-1] in ".)" else row[num_col] + "."
            rest = [p for p in parts if p != row[num_col]]
            return f"{number} {' '.join(rest)}".strip()
        return " ".join(parts)

    @staticmethod
    def _flush(rows: list[list[str]], headers: list[str], page: int | None) -> list[Block]:
        out = []
        roles = [column_role(h) for h in headers]
        for row in rows:
            pairs: list[tuple[str, str]] = []
            parts: list[str] = []
            for i, value in enumerate(row):
                if i > 0 and headers[i] == headers[i - 1] and value == row[i - 1]:
                    continue  # a merged cell already written
                pairs.append((headers[i], value))  # empty ones too: the row's columns are the table's
                if not value:
                    continue
                if roles[i] == "number" or not headers[i]:
                    parts.append(value)
                else:
                    parts.append(f"{headers[i]}: {value}")
            if parts:
                out.append(Block(text=" | ".join(parts), page=page, kind="table_row", cells=pairs))
        return out


# --- tables written in text: Markdown pipes and HTML <table> ------------------------------------

_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def pipe_rows(lines: list[str]) -> list[list[Cell]]:
    """"| a | b |" lines (the "|---|" rule dropped) → rows of cells."""
    out = []
    for line in lines:
        if _PIPE_RULE.match(line):
            continue
        body = line.strip()
        body = body[1:] if body.startswith("|") else body
        body = body[:-1] if body.endswith("|") else body
        out.append([Cell(c.strip()) for c in body.split("|")])
    return out


def is_pipe_row(line: str) -> bool:
    return bool(_PIPE_ROW.match(line)) and line.count("|") >= 3


def html_rows(table) -> list[list[Cell]]:
    """A BeautifulSoup <table> → rows of cells with their col/row spans (nested tables flattened)."""
    rows = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = []
        for td in tr.find_all(["td", "th"], recursive=False):
            cells.append(Cell(td.get_text(" ", strip=True), _span(td.get("colspan")), _span(td.get("rowspan"))))
        if cells:
            rows.append(cells)
    return rows


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 50))
    except (TypeError, ValueError):
        return 1
