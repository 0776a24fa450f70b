"""HTML → the article's blocks only: no navigation, comments, login notices, counters or scripts.

The article is found by general signals, the way readability tools do it: semantic tags
(<article>, <main>, itemprop=articleBody), class/id names that say "content" or "article", and
failing those the element holding the most paragraph text with the fewest links. Inside it,
anything whose tag or class/id says navigation, comments, sharing, login, related news ... is
cut, as is any link-dense list. Line-level page furniture ("Lượt xem: 1528", "Tin khác",
"Breaking News", share buttons) is recognised by :func:`is_page_clutter`, which the TXT loader
shares because pasted news articles carry the same furniture.

Every heuristic is linear in the page's size: text and link lengths of all elements are
counted in one bottom-up pass (:class:`_Counts`) instead of once per element and ancestor,
which made 4,000 nested <div>s take 9 s and 50,000 take ~25 minutes. Pages past what real
ones need are refused with a reason: more than 50,000 tags (counted on the raw text before
a tree is built), nesting deeper than 512 (where Chromium's parser stops nesting too), or
tables nested more than 16 deep (each level repeats the rows inside it).
"""
from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, CData, Comment, NavigableString, Tag
from bs4.element import Doctype, ProcessingInstruction

from ingest.document import Block, LoadedDocument, LoadError
from ingest.glued_words import repair_glued
from ingest.lang.normalize import clean_text
from ingest.tables import TableReader, html_rows

# Not <form>: ASP.NET portals (many Vietnamese government sites) wrap the whole page in one.
_DROP_TAGS = {
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "button",
    "input", "select", "textarea", "nav", "aside", "footer", "link", "meta", "object", "embed",
    "dialog", "menu",
}
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "pre", "figure", "figcaption", "address", "center", "h1", "h2", "h3", "h4",
    "h5", "h6", "table", "tr", "hr", "body",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Words in class/id names that mark page furniture, matched as whole tokens of the name.
_CLUTTER_TOKENS = {
    "nav", "navbar", "navigation", "menu", "submenu", "breadcrumb", "breadcrumbs", "comment",
    "comments", "binhluan", "footer", "sidebar", "aside", "share", "sharing", "social", "login",
    "signin", "register", "related", "relate", "tinlienquan", "tinkhac", "othernews", "banner",
    "advert", "ads", "ad", "quangcao", "popup", "modal", "cookie", "rating", "vote", "tags",
    "print", "toolbar", "subscribe", "newsletter", "counter", "viewcount", "pagination", "pager",
    "hotnews", "mostview", "topnews", "search", "header-top", "logo",
}  # not "view(s)": Drupal's article body is a "views-field"
_CONTENT_TOKENS = {"content", "article", "post", "entry", "detail", "story", "news", "body", "main", "text"}
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")

# A heavy news page has ~5,000 tags, a long law published as HTML ~20,000; 50,000 parse in
# ~9 s here (bs4 costs ~180 µs and ~2.6 KB a tag), about the parse budget.
MAX_ELEMENTS = 50_000
MAX_DEPTH = 512
MAX_TABLE_NESTING = 16
_TAG_START = re.compile(r"<[A-Za-z]")
_TABLE_PARTS = {"tr", "td", "th"}  # two of them per nested table level
# The strings get_text() counts inside the elements measured here (bs4's default for them).
_TEXT_TYPES = (NavigableString, CData)
_RUBY = {"rt", "rp"}  # tags whose get_text() counts another string type (small: asked directly)

# Page furniture lines: counters, "other news", share/print buttons, login and comment prompts.
_CLUTTER_LINE = re.compile(
    r"""^(?:
        breaking\s+news | tin\s+khác | tin\s+liên\s+quan | tin\s+cùng\s+chuyên\s+mục | tin\s+mới(?:\s+nhất)?
      | xem\s+thêm | đọc\s+thêm | bài\s+viết\s+liên\s+quan | ý\s+kiến\s+bạn\s+đọc | bình\s+luận
      | gửi\s+bình\s+luận | viết\s+bình\s+luận | chia\s+sẻ | share | in\s+bài(?:\s+viết)? | bản\s+in
      | gửi\s+email | gửi\s+bài | lưu\s+bài | quay\s+lại | về\s+đầu\s+trang | trang\s+chủ | tweet
      | facebook | zalo | twitter | email | print | like | thích | top
    )\s*[:.]?\s*$""",
    re.I | re.X,
)
# Phrases that only page furniture uses, wherever they sit in a (short) line.
_CLUTTER_ANYWHERE = re.compile(
    r"lượt\s+xem|lượt\s+đọc|số\s+lượt\s+truy\s+cập|trạng\s+thái\s+đăng\s+nhập|thời\s+gian\s+chờ\s*:"
    r"|bấm\s+vào\s+đây\s+để|bạn\s+đã\s+không\s+sử\s+dụng\s+site|\bviews?\s*:\s*\d|mã\s+xác\s+nhận"
    r"|vui\s+lòng\s+đăng\s+nhập|email\s+của\s+bạn|họ\s+và\s+tên\s+của\s+bạn",
    re.I,
)
# Words that are furniture only as a whole button or link label ("Đăng nhập", "Đăng ký").
_CLUTTER_SHORT = re.compile(r"đăng\s+nhập|đăng\s+ký|đăng\s+xuất|quên\s+mật\s+khẩu|gửi\s+ý\s+kiến", re.I)
_DATE = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
_TIME = r"\d{1,2}[:h]\d{2}(?::\d{2})?"
# A dateline, possibly with weekday, time and timezone, and nothing else.
_DATELINE = re.compile(
    rf"""^(?:(?:thứ\s+\w+|chủ\s+nhật|cập\s+nhật|ngày\s+đăng|đăng\s+ngày|ngày)\s*[,:-]?\s*)?
         (?:{_TIME}\s*[,-]?\s*)?(?:ngày\s+)?{_DATE}(?:\s*(?:lúc|-|,)?\s*{_TIME})?
         (?:\s*\(?\s*GMT\s*[+-]\s*\d{{1,2}}\s*\)?)?$""",
    re.I | re.X,
)
# "Thứ sáu - 29/11/2019 03:00 714 0": the bare numbers after the time are view/comment counts.
_TRAILING_COUNTERS = re.compile(rf"^(.*?(?:{_DATE}|{_TIME}))(?:(?:\s*[|·•]\s*|\s+)\d+)+\s*$")
_COUNTER_SEGMENT = re.compile(r"\s*[|·•]?\s*(?:lượt\s+xem|lượt\s+đọc|views?)\s*:?\s*[\d.,]+", re.I)


def is_page_clutter(line: str) -> bool:
    """Is this line web-page furniture rather than article text?"""
    line = line.strip()
    if not line:
        return True
    if _CLUTTER_LINE.match(line):
        return True
    if len(line) < 40 and _CLUTTER_SHORT.search(line):
        return True
    return len(line) < 200 and bool(_CLUTTER_ANYWHERE.search(line))


def dateline(line: str) -> str | None:
    """The date part of a publication dateline with its view counters removed, else None.

    >>> dateline("16:31 20/10/2021 | Lượt xem : 1528")
    '16:31 20/10/2021'
    >>> dateline("Thứ sáu - 29/11/2019 03:00 714 0")
    'Thứ sáu - 29/11/2019 03:00'
    >>> dateline("Ngày 08/11/2019, Ủy ban nhân dân tỉnh ban hành Kế hoạch") is None
    True
    """
    text = _COUNTER_SEGMENT.sub("", line.strip()).strip(" |·•")
    m = _TRAILING_COUNTERS.match(text)
    if m and _DATELINE.match(m.group(1).strip()):
        text = m.group(1).strip()
    return text if len(text) < 80 and _DATELINE.match(text) else None


def load_html(path: Path) -> LoadedDocument:
    """The article of an HTML page as blocks: h1 title as a heading, dateline kept, furniture cut."""
    raw = path.read_bytes()
    html, encoding = decode_html(raw)
    _check_tag_count(html)
    soup = BeautifulSoup(html, "lxml")
    meta: dict[str, str] = {}
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for node in soup.find_all(string=lambda s: isinstance(s, (Comment, Doctype, ProcessingInstruction))):
        node.extract()
    counts = _Counts(soup)
    root = _find_article(soup, counts)
    heading = _article_h1(soup, root, counts)
    _prune(root, counts)
    blocks = _walk_blocks(root)
    if heading is not None and root.find("h1") is None:
        # The title often sits just above the article body, outside the element holding it.
        blocks.insert(0, Block(text=clean_text(heading.get_text(" ", strip=True)), kind="heading"))
    # The article's h1 names the document; <title> often adds the site's name to it.
    title = heading.get_text(" ", strip=True) if heading is not None else page_title
    if title:
        meta["title"] = clean_text(title).strip()
    blocks = _drop_furniture(blocks, meta)
    if not blocks:
        raise LoadError("empty document: no article text found")
    warnings = [] if encoding in ("utf-8", "ascii") else [f"decoded as {encoding}"]
    return LoadedDocument(blocks=blocks, pages=None, meta=meta, warnings=warnings, method="html")


def decode_html(raw: bytes) -> tuple[str, str]:
    """Bytes → text by BOM, then the page's declared charset, then detection."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(enc, errors="replace"), enc
    head = raw[:4096].decode("ascii", errors="ignore")
    m = re.search(r"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", head, re.I)
    candidates = [m.group(1).lower()] if m else []
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return raw.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is not None:
        return str(best), best.encoding
    return raw.decode("utf-8", errors="replace"), "utf-8"


def _tokens(tag: Tag) -> set[str]:
    names = " ".join([*(tag.get("class") or []), str(tag.get("id") or ""), str(tag.get("role") or "")])
    names = names.lower()
    tokens = set(_TOKEN_SPLIT.split(names))
    tokens.discard("")
    # Hyphenated names: "comment-box" → comment, box, and "header-top" as a whole.
    tokens |= {t for t in re.split(r"[\s_]+", names) if t}
    return tokens


def _check_tag_count(html: str) -> None:
    """Refuse a page with more tags than any real one before building a tree of them (a tree
    costs ~1 KB a tag: 50 MB of <p> would be gigabytes)."""
    count = 0
    for _ in _TAG_START.finditer(html):
        count += 1
        if count > MAX_ELEMENTS:
            raise LoadError(f"trang HTML có quá nhiều phần tử (hơn {MAX_ELEMENTS:,}): không đọc".replace(",", "."))


class _Counts:
    """What the heuristics ask of an element, for every element in one bottom-up pass:
    ``len(tag.get_text(" ", strip=True))``, the text length of the <a>s inside it, whether
    it holds an h1. Asking get_text() per element costs its whole subtree each time: quadratic
    in the nesting depth. Counted after the dropped tags are gone and before pruning (pruning
    visits parents first, so an element it asks about still holds all it held here)."""

    def __init__(self, soup: BeautifulSoup):
        self._text: dict[int, tuple[int, int]] = {}  # id → (characters, non-blank strings)
        self._links: dict[int, int] = {}
        self._h1: dict[int, bool] = {}
        self._clutter_above: dict[int, bool] = {}
        order: list[Tag] = []
        depth = {id(soup): (0, 0)}
        for node in soup.descendants:  # document order; bs4 walks it without recursion
            if not isinstance(node, Tag):
                continue
            level, tables = depth[id(node.parent)]
            level += 1
            tables += node.name in _TABLE_PARTS
            if level > MAX_DEPTH:
                raise LoadError(f"trang HTML lồng quá sâu (hơn {MAX_DEPTH} cấp): không đọc")
            if tables > 2 * MAX_TABLE_NESTING:
                raise LoadError(f"trang HTML có bảng lồng nhau quá sâu (hơn {MAX_TABLE_NESTING} cấp): không đọc")
            depth[id(node)] = (level, tables)
            order.append(node)
        order.reverse()
        order.append(soup)
        for tag in order:  # children before parents
            chars = strings = links = 0
            has_h1 = False
            for child in tag.contents:
                if isinstance(child, Tag):
                    c_chars, c_strings = self._text[id(child)]
                    chars += c_chars
                    strings += c_strings
                    links += self._links[id(child)] + (self.text_len(child) if child.name == "a" else 0)
                    has_h1 = has_h1 or child.name == "h1" or self._h1[id(child)]
                elif type(child) in _TEXT_TYPES:
                    n = len(child.strip())
                    if n:
                        chars += n
                        strings += 1
            self._text[id(tag)] = (chars, strings)
            self._links[id(tag)] = links
            self._h1[id(tag)] = has_h1

    def text_len(self, tag: Tag) -> int:
        if tag.name in _RUBY:  # get_text() of <rt>/<rp> counts their own string type only
            return len(tag.get_text(" ", strip=True))
        chars, strings = self._text[id(tag)]
        return chars + max(strings - 1, 0)  # strings joined by one space

    def has_text(self, tag: Tag) -> bool:
        return self._text[id(tag)][1] > 0

    def link_density(self, tag: Tag) -> float:
        total = self.text_len(tag)
        return self._links[id(tag)] / total if total else 0.0

    def holds_h1(self, tag: Tag) -> bool:
        return self._h1[id(tag)]

    def clutter_above(self, tag: Tag) -> bool:
        """Does an ancestor's class/id name say logo, header, navigation …? Memoised upwards."""
        path = []
        node = tag.parent
        found = False
        while isinstance(node, Tag):
            known = self._clutter_above.get(id(node))
            if known is not None:
                found = known
                break
            if _tokens(node) & (_CLUTTER_TOKENS | {"logo", "header", "brand"}):
                found = True
                break
            path.append(node)
            node = node.parent
        for seen in path:
            self._clutter_above[id(seen)] = found  # every node walked is below the answer
        return found


def _article_h1(soup: BeautifulSoup, root: Tag, counts: _Counts) -> Tag | None:
    """The article's title: an h1 inside it, else the first h1 that is not a site logo or link."""
    inside = root.find("h1")
    if inside is not None and counts.has_text(inside):
        return inside
    for h1 in soup.find_all("h1"):
        if not counts.has_text(h1) or counts.link_density(h1) > 0.5:
            continue
        if counts.clutter_above(h1):
            continue
        return h1
    return None


def _find_article(soup: BeautifulSoup, counts: _Counts) -> Tag:
    """Most specific first: articleBody, then the largest <article>, then <main>, then scoring."""
    body = soup.body or soup
    for candidates in (
        body.find_all(attrs={"itemprop": "articleBody"}),
        [t for t in body.find_all("article") if counts.text_len(t) > 200],
        [t for t in body.find_all("main") if counts.text_len(t) > 200] + body.find_all(attrs={"role": "main"}),
    ):
        if candidates:
            return max(candidates, key=counts.text_len)
    best, best_score = None, 0.0
    for tag in body.find_all(["div", "section", "td"]):
        if _tokens(tag) & _CLUTTER_TOKENS:
            continue
        paras = sum(counts.text_len(p) for p in tag.find_all("p", recursive=False))
        direct = sum(len(s.strip()) for s in tag.find_all(string=True, recursive=False))
        score = (paras + direct) * (1 - counts.link_density(tag))
        if _tokens(tag) & _CONTENT_TOKENS:
            score *= 1.25
        if score > best_score:
            best, best_score = tag, score
    return best if best is not None and best_score > 200 else body


def _prune(root: Tag, counts: _Counts) -> None:
    """Cut furniture inside the article: clutter class/id names, link-dense blocks."""
    for tag in list(root.find_all(True)):
        # Not tag.decomposed: on a live tag, bs4 answers that by searching its subtree.
        if tag.__dict__.get("_decomposed") or tag.name in _HEADINGS:
            continue
        if _tokens(tag) & _CLUTTER_TOKENS and not counts.holds_h1(tag):
            tag.decompose()
            continue
        if tag.name in ("ul", "ol", "div", "section", "p", "table") and counts.text_len(tag) < 600:
            if counts.link_density(tag) > 0.6:
                tag.decompose()


def _walk_blocks(root: Tag) -> list[Block]:
    blocks: list[Block] = []
    buffer: list[str] = []
    tables = TableReader()  # header-aware rows, merged cells spread (ingest.tables)

    def flush(kind: str = "paragraph") -> None:
        # a word split across tags runs into the next one ("thông</b>chủ trì"): spaces put back
        text = repair_glued(clean_text("".join(buffer)))
        buffer.clear()
        for line in text.split("\n"):
            line = line.strip()
            if line:
                blocks.append(Block(text=line, kind=kind))

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                buffer.append(re.sub(r"\s+", " ", str(child)))
            elif not isinstance(child, Tag):
                continue
            elif child.name == "br":
                buffer.append("\n")
            elif child.name in _HEADINGS:
                flush()
                buffer.append(child.get_text(" ", strip=True))
                flush(kind="heading")
            elif child.name == "table":
                flush()
                blocks.extend(tables.blocks(html_rows(child)))
            elif child.name in _BLOCK_TAGS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)

    walk(root)
    flush()
    return blocks


def _drop_furniture(blocks: list[Block], meta: dict[str, str]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        date = dateline(block.text)
        if date is not None:
            meta.setdefault("published", date)
            out.append(Block(text=date, kind=block.kind))
            continue
        if is_page_clutter(block.text):
            continue
        if out and out[-1].text == block.text:
            continue  # a lead paragraph repeated as the body's first paragraph
        out.append(block)
    return out
