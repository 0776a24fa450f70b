"""Hard-wrapped lines back into paragraphs, and the Vietnamese-syllable checks this needs.

PDF text layers, OCR output and some TXT files break every paragraph into lines of the page
width. :func:`join_lines` glues the lines of one paragraph back together and starts a new
paragraph wherever a structural item begins ("I.", "1.2.", "a)", "-", "Điều 5.", ...), so the
structure parser downstream sees one block per paragraph or list item.

The syllable checks live here because the hyphen repair needs them ("tuy-\\nên" is a split
syllable, "2021-\\n2025" and "lao động-\\nviệc làm" are not); the PDF and TXT loaders reuse them to
tell real Vietnamese from a garbled text layer or a wrong code page.

>>> [p for _, p in join_lines(["- Triển khai sâu rộng Chương trình của", "Chính phủ về tuyên",
...                            "truyền, giai đoạn 2021 -", "2025.", "2. Yêu cầu"])]
['- Triển khai sâu rộng Chương trình của Chính phủ về tuyên truyền, giai đoạn 2021 - 2025.', '2. Yêu cầu']
>>> is_vietnamese_syllable("THƯƠNG"), is_vietnamese_syllable("THƢƠNG"), is_vietnamese_syllable("héi")
(True, False, False)
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# --- Vietnamese syllables -------------------------------------------------------------------

_TONE_MARKS = {"\u0300": "huyen", "\u0301": "sac", "\u0303": "nga", "\u0309": "hoi", "\u0323": "nang"}
_ONSETS = (
    "ngh", "nh", "ng", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
_RHYMES = frozenset(
    """
    a ai ao au ay ac ach am an ang anh ap at ak ăk ôk
    ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây
    e eo ec em en eng ep et
    ê êu êch êm ên ênh êp êt
    i ia iu ich im in inh ip it iêc iêm iên iêng iêp iêt iêu
    y yêm yên yêng yêt yêu
    o oa oă oe oi oc om on ong op ot oong ooc
    oac oach oai oam oan oang oanh oao oap oat oay
    oăc oăm oăn oăng oăp oăt
    oen oeo oet oem
    ô ôi ôc ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt
    u ua ui uc um un ung up ut
    uê uênh uêch uơ uy uya uych uyên uyêt uynh uyt uyu
    uân uât uâng uây uôc uôi uôm uôn uông uôt
    ư ưa ưi ưu ưc ưm ưn ưng ưt ươc ươi ươm ươn ương ươp ươt ươu
    """.split()
)
_STOP_CODAS = ("c", "ch", "p", "t")
_LETTERS_RE = re.compile(r"[^\W\d_]+")

_VIET_VOWELS = "aăâeêioôơuưy"
_HAS_VOWEL = re.compile(r"[^\Wbcdđfghjklmnpqrstvwxz\d_]", re.IGNORECASE)
# Every lowercase letter a Vietnamese text may contain, tone-marked vowels included.
VIETNAMESE_LETTERS = frozenset(
    "bcdđghklmnpqrstvx"
    + "".join(
        unicodedata.normalize("NFC", v + t) for v in _VIET_VOWELS for t in ("", *_TONE_MARKS)
    )
)


def _split_tone(word: str) -> tuple[str, str | None] | None:
    """The word without its tone mark, and the tone; None when it carries two tones."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return None
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return bare, (_TONE_MARKS[tones[0]] if tones else None)


def is_vietnamese_syllable(word: str) -> bool:
    """True when ``word`` is spelled like one Vietnamese syllable (onset + rhyme + tone).

    Purely phonotactic: "hõa" passes although no such word exists, but the look-alike and
    legacy-font garbage of broken PDFs ("THƢƠNG", "héi", "nghÜa") does not.
    """
    split = _split_tone(word)
    if split is None:
        return False
    bare, tone = split
    if not bare or any(c not in VIETNAMESE_LETTERS for c in bare):
        return False
    for onset in _ONSETS:
        if not bare.startswith(onset):
            continue
        rhyme = bare[len(onset) :]
        if rhyme not in _RHYMES:
            continue
        if onset == "qu" and rhyme.startswith("u"):
            continue
        if rhyme.endswith(_STOP_CODAS) and tone not in ("sac", "nang"):
            continue  # checked/stop codas only take the sắc or nặng tone
        return True
    return False


def vietnamese_share(text: str) -> tuple[float, int]:
    """Share of the words with non-ASCII letters that are valid Vietnamese syllables.

    Returns ``(share, counted)``. Plain-ASCII words (ASEAN, COVID, Ha Noi) are neither good
    nor bad evidence and are not counted; with nothing counted the share is 1.0.
    """
    words = [
        w
        for w in _LETTERS_RE.findall(unicodedata.normalize("NFC", text))
        if not w.isascii() and _HAS_VOWEL.search(w)  # vowel-less tokens are acronyms: NĐ, HĐND
    ]
    if not words:
        return 1.0, 0
    good = sum(1 for w in words if is_vietnamese_syllable(w))
    return good / len(words), len(words)


def foreign_letter_share(text: str) -> float:
    """Share of letters that are neither ASCII nor Vietnamese (legacy-font mojibake: ß Ü ª µ)."""
    letters = [c for c in unicodedata.normalize("NFC", text).lower() if c.isalpha()]
    if not letters:
        return 0.0
    foreign = sum(1 for c in letters if not c.isascii() and c not in VIETNAMESE_LETTERS)
    return foreign / len(letters)


def looks_vietnamese(text: str, *, min_share: float = 0.85, min_words: int = 5) -> bool:
    """Enough Vietnamese syllables, and few enough foreign letters, to trust a decoding."""
    share, counted = vietnamese_share(text)
    return counted >= min_words and share >= min_share and foreign_letter_share(text) < 0.02


# --- Paragraph joining ----------------------------------------------------------------------

# A line that opens a new structural item never continues the previous paragraph.
# A line that opens a new structural item never continues the previous paragraph. Headings
# named by a word ("Điều 5", "Mục 1", "Phụ lục I") count only when the number ends the line or is
# followed by "." / ":" / a capitalised title: "Điều 8 của Nghị định" wrapped to a line start
# is a citation inside a sentence.
_UPPER = "A-Z" + "".join(sorted({c.upper() for c in VIETNAMESE_LETTERS if not c.isascii()}))
_HEAD_END = rf"(?=\s*(?:[.:]|$|[{_UPPER}]{{2,}}|\())"
_STRUCTURAL = re.compile(
    rf"""^(?:
        [IVXLC]{{1,7}}\.(?:\s|$)                           # I.  II.  XIV.
      | \d{{1,3}}(?:\.\d{{1,3}})*\.(?:\s|$)                # 1.  1.2.  1.2.3.
      | \d{{1,3}}(?:\.\d{{1,3}})+(?:\s|$)                  # 1.2 (no final dot)
      | \d{{1,3}}\)\s                                    # 1)
      | [a-zđ]\)\s?                                     # a)  đ)
      | [-+•*–—▪●○◦►✓]\s?                               # bullets, with or without a space
      | (?:Điều|ĐIỀU)\s+\d+[a-zđ]?{_HEAD_END}              # Điều 5.
      | (?:Chương|CHƯƠNG|Phần|PHẦN)\s+[IVXLC\d]+\b{_HEAD_END}  # Chương II
      | (?:Mục|MỤC)\s+\d+{_HEAD_END}                      # Mục 1.
      | PHỤ\s+LỤC\b | Phụ\s+lục(?:\s+[IVXLC\d]+)?{_HEAD_END}
      | (?:Nơi\s+nhận|Kính\s+gửi|Căn\s+cứ)\b
      | (?:Đơn\s+vị|Cơ\s+quan|Thời\s+gian|Thời\s+hạn|Tiến\s+độ|Trách\s+nhiệm)\s[^:\n]{{0,40}}:   # a plan's field label
    )""",
    re.VERBOSE,
)
# Sentence-final punctuation, possibly followed by closing quotes or brackets.
_FINAL = re.compile(r"""[.!?:;…](?:[”"’'»)\]]*)$""")
_SENTENCE_END = re.compile(r"""[.!?…](?:[”"’'»)\]]*)$""")
_ACRONYM_START = re.compile(r"^[A-ZĐ]{2,}(?![^\W\d_])")
_LETTER_AT_END = re.compile(r"([^\W\d_]+)-$")
_LETTER_AT_START = re.compile(r"^([^\W\d_]+)")
# Function words that cannot end a sentence: a line ending in one is surely wrapped.
_CONNECTIVES = frozenset(
    """của và các những về với trong cho là được bị theo tại từ đến để do có như nhằm hoặc hay
    mà thì khi trên dưới giữa qua vào ra một này đã sẽ đang cùng gồm bao mọi nhiều ở tới phải
    không cũng còn rằng nếu vì nên sau trước đối thuộc bằng quy số""".split()
)


def is_structural_start(line: str) -> bool:
    """Does this line open a new item (heading number, list marker, Điều/Chương/Mục ...)?"""
    return bool(_STRUCTURAL.match(line.lstrip()))


def _is_upper_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def typical_width(lines: Sequence[str]) -> int:
    """The length of a full line of running text: a high percentile of the line lengths."""
    lengths = sorted(len(l.strip()) for l in lines if len(l.strip()) > 20)
    if len(lengths) < 3:
        return 0
    return lengths[int(0.9 * (len(lengths) - 1))]


def _continues(prev: str, nxt: str, width: int) -> bool:
    """Is ``nxt`` the wrapped continuation of the paragraph whose last line is ``prev``?"""
    prev, nxt = prev.rstrip(), nxt.lstrip()
    if prev.endswith(("-", "–", "—")) and len(prev) > 2:
        # A dangling dash is a range or compound cut by the wrap: "2021 -" / "2025."
        return not nxt.startswith(("- ", "+ ", "• "))
    if re.match(r"^[-–]\s*\d", nxt) and prev[-1:].isdigit():
        return True  # "2021" / "- 2025": a range cut before its dash
    if is_structural_start(nxt):
        return False
    first = nxt[:1]
    if first.islower():
        # Paragraphs open with a capital: a lowercase line runs on, even after ";" or ":".
        return not _SENTENCE_END.search(prev)
    if _FINAL.search(prev):
        return False
    last_word = prev.rsplit(None, 1)[-1].lower() if prev.split() else ""
    if prev.endswith((",", "(", "/", "&")) or last_word in _CONNECTIVES:
        return True
    prev_upper, next_upper = _is_upper_line(prev), _is_upper_line(nxt)
    if prev_upper and next_upper:
        # A long title in capitals wraps; short capital lines are a letterhead's separate lines.
        return width > 0 and len(prev) >= 0.6 * width
    if prev_upper != next_upper:
        return False  # a title in capitals never runs on into mixed-case text, nor back
    if width > 0 and len(prev) >= 0.75 * width and _ACRONYM_START.match(nxt):
        return True  # "... hiệp định đa phương" / "ASEAN, Tiểu vùng ...": acronyms sit mid-sentence
    full = width > 0 and len(prev) >= 0.9 * width
    return full and (first.isupper() or first.isdigit() or first in "(“\"'")


def _is_vowel(ch: str) -> bool:
    base = unicodedata.normalize("NFD", ch.lower())[:1]
    return base in "aeiouy" or unicodedata.normalize("NFC", base) in _VIET_VOWELS


def _glue(prev: str, nxt: str) -> str:
    """Join two wrapped lines, repairing a word split by a hyphen at the line end."""
    prev, nxt = prev.rstrip(), nxt.lstrip()
    if prev.endswith("-") and len(prev) >= 2 and not prev[-2].isspace():
        left = _LETTER_AT_END.search(prev)
        right = _LETTER_AT_START.match(nxt)
        if left and right and nxt[:1].islower():
            a, b = left.group(1), right.group(1)
            whole_syllable = is_vietnamese_syllable(a + b)
            both_syllables = is_vietnamese_syllable(a) and is_vietnamese_syllable(b)
            # A hyphen between two vowels of one vowel cluster ("tuy-ên") is a cut, never a compound.
            split_nucleus = _is_vowel(a[-1]) and _is_vowel(b[0])
            if whole_syllable and (split_nucleus or not both_syllables):
                return prev[:-1] + nxt  # "tuy-" + "ên" was one syllable cut in two
        return prev + nxt  # keep the hyphen: "2021-2025", "Covid-19", "lao động-việc làm"
    return f"{prev} {nxt}"


def join_lines(lines: Sequence[str], *, width: int | None = None) -> list[tuple[int, str]]:
    """Group lines into paragraphs; returns ``(index of the paragraph's first line, text)``.

    An empty line always ends a paragraph. ``width`` is the length of a full line of running
    text (estimated from ``lines`` when not given): a full line that ends without punctuation
    runs on even into a capitalised next line ("... của các" / "Bộ Trưởng ...").
    """
    if width is None:
        width = typical_width(lines)
    out: list[tuple[int, str]] = []
    start, current, current_last = -1, "", ""
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            if current:
                out.append((start, current))
            start, current = -1, ""
            continue
        if current and _continues(current_last, line, width):
            current = _glue(current, line)
        else:
            if current:
                out.append((start, current))
            start, current = i, line
        current_last = line
    if current:
        out.append((start, current))
    return out


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each with its hard-wrapped lines joined."""
    return [p for _, p in join_lines(text.split("\n"))]
