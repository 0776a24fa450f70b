"""Check the hand-written evaluation files against the corpus text.

For every in-corpus question in eval/questions.json, the `evidence` phrase and every `answer`
phrase must occur verbatim in the extracted text of the gold document (and, for answers, of at
least one of doc/also_docs). The same is checked for the `evidence` of eval/gold_tasks.json and
eval/summary_tasks.json. Only whitespace is normalised (and hard-wrapped PDF lines are joined,
which is the same thing once whitespace runs collapse to one space); letters and tone-mark
placement must match exactly (NFC).

Extraction is deliberately independent of the project's ingest code:
  .txt  read as UTF-8
  .docx python-docx, body paragraphs and table cells in document order
  .html BeautifulSoup get_text (script/style/noscript removed)
  .pdf  pypdf extract_text, pages joined; for 1178-DCK-... the broken glyphs Ƣ/ƣ → Ư/ư
  .doc  `antiword -m UTF-8.txt`
  CV-2265 (scanned) is OCR'd with pdftoppm + tesseract only if a question targets it.

Run:  .venv/bin/python eval/check_questions.py [--dump DIR]
Prints every failing row; exit status 1 if any failed.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
EVAL = ROOT / "eval"

_WS = re.compile(r"\s+")
_ZW = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")


def norm(text: str) -> str:
    """NFC + every whitespace run (incl. newlines, NBSP) to one space. Nothing else."""
    text = unicodedata.normalize("NFC", text)
    text = _ZW.sub("", text)
    return _WS.sub(" ", text).strip()


def _docx_text(path: Path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    d = docx.Document(str(path))
    out: list[str] = []
    body = d.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, d).text)
        elif tag == "tbl":
            t = Table(child, d)
            for row in t.rows:
                cells: list[str] = []
                seen: set[int] = set()
                for c in row.cells:
                    if id(c._tc) in seen:
                        continue
                    seen.add(id(c._tc))
                    cells.append(c.text)
                out.append(" | ".join(cells))
    return "\n".join(out)


def _html_text(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "html.parser")
    for t in soup(["script", "style", "noscript"]):
        t.decompose()
    return soup.get_text("\n")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    r = PdfReader(str(path))
    text = "\n".join((p.extract_text() or "") for p in r.pages)
    if path.name.startswith("1178-"):
        text = text.replace("\u01a2", "\u01af").replace("\u01a3", "\u01b0")  # Ƣ→Ư, ƣ→ư
    return text


def _ocr_pdf(path: Path) -> str:
    with tempfile.TemporaryDirectory() as td:
        subprocess.run(["pdftoppm", "-r", "200", "-png", str(path), f"{td}/p"], check=True)
        parts = []
        for img in sorted(Path(td).glob("p*.png")):
            res = subprocess.run(["tesseract", str(img), "-", "-l", "vie"],
                                 capture_output=True, text=True, check=True)
            parts.append(res.stdout)
    return "\n".join(parts)


@lru_cache(maxsize=None)
def raw_text(rel: str) -> str:
    path = CORPUS / rel
    suf = path.suffix.lower()
    if suf == ".txt":
        return path.read_text(encoding="utf-8")
    if suf == ".docx":
        return _docx_text(path)
    if suf in (".html", ".htm"):
        return _html_text(path)
    if suf == ".doc":
        return subprocess.run(["antiword", "-m", "UTF-8.txt", str(path)],
                              capture_output=True, text=True, check=True).stdout
    if suf == ".pdf":
        if path.name.startswith("CV-2265"):
            return _ocr_pdf(path)
        return _pdf_text(path)
    raise ValueError(f"unknown format: {rel}")


@lru_cache(maxsize=None)
def doc_text(rel: str) -> str:
    return norm(raw_text(rel))


def contains(rel: str, phrase: str) -> bool:
    return norm(phrase) in doc_text(rel)


def extractable(rel: str) -> str | None:
    """None if the document's text can be extracted here, else the reason."""
    try:
        doc_text(rel)
        return None
    except (OSError, subprocess.CalledProcessError, ImportError) as e:  # missing tool/lib
        return f"{type(e).__name__}: {e}"


def check_questions(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    fails: list[str] = []
    qids: set[str] = set()
    for q in data["questions"]:
        qid = q.get("qid")
        if qid in qids:
            fails.append(f"{qid}: duplicate qid")
        qids.add(qid)
        for key in ("qid", "question", "type", "doc", "evidence", "answer"):
            if key not in q:
                fails.append(f"{qid}: missing key {key}")
        if q.get("type") == "ooc":
            if q.get("doc") is not None or q.get("evidence") is not None or q.get("answer") is not None:
                fails.append(f"{qid}: ooc row must have doc/evidence/answer null")
            continue
        doc = q.get("doc")
        if not doc or not (CORPUS / doc).exists():
            fails.append(f"{qid}: gold doc not found: {doc!r}")
            continue
        why = extractable(doc)
        if why:
            print(f"SKIP {qid}: cannot extract {doc} here ({why})")
            continue
        ev = q.get("evidence") or ""
        nwords = len(ev.split())
        if not 3 <= nwords <= 12:
            fails.append(f"{qid}: evidence has {nwords} words (want 3-12): {ev!r}")
        if not contains(doc, ev):
            fails.append(f"{qid}: evidence not in {doc}: {ev!r}")
        answers = q.get("answer") or []
        if not 1 <= len(answers) <= 3:
            fails.append(f"{qid}: want 1-3 answers, got {len(answers)}")
        for a in answers:
            if not contains(doc, a):
                fails.append(f"{qid}: answer not in {doc}: {a!r}")
        for a in q.get("answer_all") or []:
            if not contains(doc, a):
                fails.append(f"{qid}: answer_all phrase not in {doc}: {a!r}")
        if q.get("type") == "yesno" and q.get("expected") not in ("yes", "no"):
            fails.append(f"{qid}: yesno row needs expected = 'yes' or 'no'")
        for od in q.get("also_docs") or []:
            if not (CORPUS / od).exists():
                fails.append(f"{qid}: also_doc not found: {od!r}")
            elif not any(contains(od, a) for a in answers):
                fails.append(f"{qid}: no answer phrase found in also_doc {od}")
        if q.get("type") == "nodiac":
            s = q["question"]
            folded = unicodedata.normalize("NFD", s)
            if any(unicodedata.category(c) == "Mn" for c in folded) or "đ" in s.lower() or s != s.lower():
                fails.append(f"{qid}: nodiac question has diacritics or capitals: {s!r}")
        # The question must not copy a long run of the document verbatim.
        words = q["question"].rstrip("?").split()
        for i in range(0, max(0, len(words) - 9)):
            run = " ".join(words[i:i + 10])
            if contains(doc, run):
                fails.append(f"{qid}: question copies 10+ words of the document: {run!r}")
                break
    return fails


def check_evidence_file(path: Path, list_key: str, nested: str | None = None) -> list[str]:
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    fails: list[str] = []
    for i, item in enumerate(data[list_key]):
        rows = item[nested] if nested else [item]
        for j, row in enumerate(rows):
            doc = row.get("doc") or item.get("doc")
            ev = row.get("evidence")
            tag = f"{path.name}[{i}]" + (f".{nested}[{j}]" if nested else "")
            if not doc or not (CORPUS / doc).exists():
                fails.append(f"{tag}: doc not found: {doc!r}")
            elif not ev or not contains(doc, ev):
                fails.append(f"{tag}: evidence not in {doc}: {ev!r}")
            else:
                # gold_tasks: unit names and the deadline must be written as the document writes them
                for key in ("lead_units", "partner_units", "focal_units", "guiding_units", "report_to"):
                    for unit in row.get(key) or []:
                        if not contains(doc, unit):
                            fails.append(f"{tag}: {key} name not in {doc}: {unit!r}")
                if row.get("deadline") and not contains(doc, row["deadline"]):
                    fails.append(f"{tag}: deadline not in {doc}: {row['deadline']!r}")
    return fails


def main(argv: list[str]) -> int:
    if "--dump" in argv:
        out = Path(argv[argv.index("--dump") + 1])
        out.mkdir(parents=True, exist_ok=True)
        for p in sorted(CORPUS.rglob("*")):
            if p.is_file() and p.suffix.lower() in (".txt", ".docx", ".html", ".pdf", ".doc"):
                rel = str(p.relative_to(CORPUS))
                (out / (rel.replace("/", "__") + ".txt")).write_text(raw_text(rel), encoding="utf-8")
        print(f"dumped texts to {out}")
        return 0
    fails = check_questions(EVAL / "questions.json")
    fails += check_evidence_file(EVAL / "gold_tasks.json", "tasks")
    fails += check_evidence_file(EVAL / "summary_tasks.json", "tasks", nested="points")
    for f in fails:
        print("FAIL", f)
    print(f"{len(fails)} failure(s)")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
