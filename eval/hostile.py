"""Hostile files and hostile clients, measured (issue 19).

    .venv/bin/python -m eval.hostile [--kills 22] [--clients 50] [--seconds 60] [--only files http ...]

Generates the files and requests of issue 19 and more of their kind, ingests or sends each
against a real index (model, embedded store) in a temporary home, and prints for each: the
outcome, the reason, the wall time and the peak RSS (the parse child's, and the server
process's growth above its baseline with the model loaded). Then kill -9 at random points
of an ingest and of an upload (ledger = store checked after each, then recovery and no
document lost), 50 concurrent clients on loopback, and SIGTERM during a slow upload.

Targets: every file handled with a reason in ≤ 10 s and ≤ 300 MB above baseline; 0
responses 500; 0 files read outside the corpus or uploads; 0 documents lost.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
MODEL_CACHE = Path(os.environ.get("ASEANBOT_MODEL_CACHE", REPO / "var" / "models"))
LARGEST_REAL_DOCX = Path("/work/shared/scale-corpus/vbpl/27-2025-tt-nhnn.docx")
CANARY = "CANARY-7f3a-OUTSIDE-THE-CORPUS"
MB = 1024 * 1024
SMALL = ["asean/bonoivu-1117-qd-bnv-2021.txt", "asean/tayninh-2502-kh-ubnd-2019.html",
         "asean/quangninh-159-kh-ubnd-2021.docx"]
PLAN = ("KẾ HOẠCH\nTuyên truyền về ASEAN năm 2026 của huyện {0}\n\n1. Tuyên truyền trên loa phát thanh xã\n"
        "- Nội dung triển khai: Phát bản tin về Cộng đồng ASEAN mỗi tuần hai lần.\n"
        "- Đơn vị chủ trì: Phòng Văn hóa và Thông tin huyện {0}.\n")
RESULTS: list[dict] = []


# --- measuring -----------------------------------------------------------------------------------


def rss_mb(pid: str | int = "self") -> float:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Sampler:
    """The process's peak RSS during a block, sampled every 10 ms."""

    def __enter__(self):
        self.start = rss_mb()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.t0 = time.perf_counter()
        return self

    def _run(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def record(group: str, case: str, outcome: str, reason: str, seconds: float, child_mb: float | None,
           server_mb: float | None, ok: bool) -> None:
    RESULTS.append(dict(group=group, case=case, outcome=outcome, reason=reason, seconds=seconds, child_mb=child_mb,
                        server_mb=server_mb, ok=ok))
    child = f"{child_mb:7.0f}" if child_mb else "      -"
    server = f"{server_mb:+7.0f}" if server_mb is not None else "      -"
    print(f"{'ok ' if ok else 'BAD'} {group:7} {case:28} {outcome:11} {seconds:7.2f}s {child} {server}  {reason[:90]}",
          flush=True)


# --- hostile files -------------------------------------------------------------------------------


def zip_bomb(path: Path, inflated: int) -> Path:
    """A DOCX whose document.xml inflates to ``inflated`` bytes of valid WordprocessingML."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body>')
    para = "<w:p><w:r><w:t>Ủy ban nhân dân tỉnh giao Sở chủ trì.</w:t></w:r></w:p>".encode() * 2000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"/>')
        with zf.open("word/document.xml", "w", force_zip64=inflated > 2**31) as out:
            out.write(head)
            written = len(head)
            while written < inflated:
                out.write(para)
                written += len(para)
            out.write(b"</w:body></w:document>")
    return path


def lying_zip(path: Path) -> Path:
    """A DOCX whose headers state a 1 KB document.xml that really inflates to 64 MB."""
    zip_bomb(path, 64 * MB)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("word/document.xml")
    real = info.file_size.to_bytes(4, "little")
    for at in range(len(data) - 4):
        if data[at:at + 4] == real:
            data[at:at + 4] = (1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def pdf(path: Path, objects: list[bytes]) -> Path:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer <</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def pdf_bomb(path: Path, inflated: int) -> Path:
    comp = zlib.compressobj(9)
    chunk = b"0 0 m 1 1 l S " * 4096
    data = bytearray()
    for _ in range(inflated // len(chunk)):
        data += comp.compress(chunk)
    data += comp.flush()
    return pdf(path, [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
                      b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<<>>>>",
                      f"<</Length {len(data)}/Filter/FlateDecode>>\nstream\n".encode() + bytes(data) + b"\nendstream"])


def pdf_pages(path: Path, n: int) -> Path:
    kids = " ".join(f"{i + 3} 0 R" for i in range(n))
    return pdf(path, [b"<</Type/Catalog/Pages 2 0 R>>", f"<</Type/Pages/Kids[{kids}]/Count {n}>>".encode(),
                      *[b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>"] * n])


def html(path: Path, body: str) -> Path:
    path.write_text(f"<html><head><title>t</title></head><body>{body}</body></html>", encoding="utf-8")
    return path


P = "<p>Ủy ban nhân dân tỉnh giao Sở Ngoại vụ chủ trì tuyên truyền về Cộng đồng ASEAN.</p>"


def build_files(root: Path, outside: Path) -> list[tuple[str, list[Path], str]]:
    """(case, paths to ingest, expected outcome: "skipped", "ingested" or "each")."""
    h = root / "hostile"
    h.mkdir(parents=True)
    outside.mkdir(parents=True)
    (outside / "canary.txt").write_text(PLAN.format(CANARY), encoding="utf-8")
    (h / "plain.txt").write_text(PLAN.format("Vân Hồ"), encoding="utf-8")
    cases: list[tuple[str, list[Path], str]] = []

    def add(case: str, paths, expect: str = "skipped"):
        cases.append((case, paths if isinstance(paths, list) else [paths], expect))

    add("control: plain txt", h / "plain.txt", "ingested")
    (h / "passwd-link.txt").symlink_to("/etc/passwd")
    add("symlink → /etc/passwd", h / "passwd-link.txt")
    (h / "canary-link.txt").symlink_to(outside / "canary.txt")
    add("symlink → outside file", h / "canary-link.txt")
    (h / "inside-link.txt").symlink_to(h / "plain.txt")
    add("symlink → inside file", h / "inside-link.txt")
    (h / "outdir").symlink_to(outside, target_is_directory=True)
    add("symlinked dir → outside", h / "outdir" / "canary.txt")
    (h / "loop-a.txt").symlink_to(h / "loop-b.txt")
    (h / "loop-b.txt").symlink_to(h / "loop-a.txt")
    add("symlink loop", h / "loop-a.txt")
    os.mkfifo(h / "fifo.txt")
    add("FIFO named .txt", h / "fifo.txt")
    bad = h / os.fsdecode(b"bad-\xff\xfe.txt")
    bad.write_text(PLAN.format("Mộc Châu"), encoding="utf-8")
    add("non-UTF-8 file name", bad)
    add("path outside (/etc/hostname)", Path("/etc/hostname"))
    add("path outside (canary)", outside / "canary.txt")
    add("zip bomb 1 MB (1 GiB)", zip_bomb(h / "bomb-1gb.docx", 1 << 30))
    add("zip bomb 3 MB (3 GiB)", zip_bomb(h / "bomb-3gb.docx", 3 << 30))
    add("zip lying sizes", lying_zip(h / "lying.docx"))
    with zipfile.ZipFile(h / "members.docx", "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        for i in range(60_000):
            zf.writestr(f"x/{i}", b"")
    add("zip 60k members", h / "members.docx")
    if LARGEST_REAL_DOCX.exists():
        shutil.copy(LARGEST_REAL_DOCX, h / "largest-real.docx")
        add("control: largest real DOCX", h / "largest-real.docx", "ingested")
    for depth in (1000, 4000, 50_000):
        add(f"html {depth // 1000}k nested divs", html(h / f"deep-{depth}.html", "<div>" * depth + P + "</div>" * depth))
    add("html flat 45k tags (4 MB)", html(h / "flat-45k.html", P * 45_000), "any")
    add("html flat 2M tags (40 MB)", html(h / "flat-huge.html", "<p>x</p>" * 2_000_000))
    add("html tables nested 40", html(h / "tables.html", "<table><tr><td>" * 40 + P + "</td></tr></table>" * 40))
    add("pdf garbage after header", (h / "garbage.pdf"), "skipped")
    (h / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(200_000))
    real_pdf = (CORPUS / "legal" / "TT-37-BGTVT.pdf").read_bytes()
    (h / "truncated.pdf").write_bytes(real_pdf[: len(real_pdf) // 3])
    add("pdf truncated at 1/3", h / "truncated.pdf", "any")
    (h / "page.pdf").write_text("<html><body>404 Not Found</body></html>")
    add("pdf that is an HTML page", h / "page.pdf")
    add("pdf flate bomb (1 GiB)", pdf_bomb(h / "flate-bomb.pdf", 1 << 30))
    add("pdf 20k empty pages", pdf_pages(h / "pages.pdf", 20_000))
    (h / "binary.txt").write_bytes(os.urandom(300_000))
    add("txt random bytes", h / "binary.txt")
    (h / "empty.txt").write_bytes(b"")
    add("txt empty", h / "empty.txt")
    (h / "oneline.txt").write_text(("Ủy ban nhân dân tỉnh giao Sở chủ trì " * 60_000), encoding="utf-8")
    add("txt one 2 MB line", h / "oneline.txt", "any")
    names = h / "names"
    names.mkdir()
    for i, name in enumerate(("KH 07.txt", "kh-07.txt", "x.txt", "x.TXT", "Kế hoạch.txt", "Kể hoạch.txt",
                              "Ke\u0302\u0301 hoa\u0323ch 2.txt")):
        (names / name).write_text(PLAN.format(f"Huyện số {i}"), encoding="utf-8")
    add("colliding names (7 files)", sorted(names.iterdir()), "each")
    twin = h / "twin"
    twin.mkdir()
    (twin / "a-fails.pdf").write_text(PLAN.format("Quỳnh Nhai"), encoding="utf-8")
    (twin / "b-valid.txt").write_text(PLAN.format("Quỳnh Nhai"), encoding="utf-8")
    add("failing file + valid twin", [twin / "a-fails.pdf", twin / "b-valid.txt"], "twin")
    return cases


def run_files(services, root: Path, outside: Path) -> None:
    from ingest.pipeline import ingest, parse_budget

    s = services.settings
    for case, paths, expect in build_files(root, outside):
        with Sampler() as m:
            report = ingest(paths, corpus_root=root, ledger=services.ledger, sink=services.indexer(),
                            max_bytes=s.max_file_mb * MB, ocr=s.ocr, uploads_root=s.uploads_dir,
                            budget=parse_budget(s))
        file_rows = [r for r in report.rows if r.status != "removed"]
        statuses = [r.status for r in file_rows]
        reason = "; ".join(sorted({r.reason for r in file_rows if r.reason}))[:200] or "-"
        child = max((r.peak_mb or 0 for r in file_rows), default=0) or None
        parse = max((r.parse_seconds or 0 for r in file_rows), default=0)
        if expect == "each":
            ok = statuses == ["ingested"] * len(paths)
            ids = {services.ledger.entries[r.source]["doc_id"] for r in file_rows if r.source in services.ledger.entries}
            reason = f"{len(ids)} distinct doc_ids for {len(paths)} names"
            ok = ok and len(ids) == len(paths)
        elif expect == "twin":
            ok = statuses == ["skipped", "ingested"]
        elif expect == "any":
            ok = all(st in ("ingested", "skipped") for st in statuses) and all(r.reason for r in file_rows
                                                                               if r.status == "skipped")
        else:
            ok = statuses == [expect] * len(paths) and (expect != "skipped" or all(r.reason for r in file_rows))
        # Hostile files: handled (parsed or refused) within 10 s, the child under its cap (its
        # whole RSS, ~300 MB above its start) and the server under 300 MB of growth. A file that
        # turns out readable is then embedded like any document: that time and memory are the
        # model's, reported but not a target; the controls are real documents.
        readable = any(r.status == "ingested" for r in file_rows)
        ok = ok and parse <= 10 and (child or 0) <= s.parse_memory_mb
        if not case.startswith("control") and not readable:
            ok = ok and m.seconds <= 10 and m.peak - m.start <= 300
        reason = reason if not readable else f"{reason}; parse {parse:.1f} s, then embedding"
        record("file", case, "/".join(sorted(set(statuses))), reason, m.seconds, child, m.peak - m.start, ok)
    # Nothing from outside the corpus in the ledger or the store, under any path.
    texts = json.dumps([services.ledger.document(e["doc_id"]) for e in services.ledger.entries.values()],
                       ensure_ascii=False)
    payloads = json.dumps(services.store.payloads(), ensure_ascii=False)
    leaked = (CANARY in texts or CANARY in payloads or "root:x:0:0" in texts or "root:x:0:0" in payloads
              or any(s.startswith("/") for s in services.ledger.entries))
    record("file", "outside content indexed?", "leaked" if leaked else "none", f"canary {CANARY[:12]}…, /etc/passwd",
           0.0, None, None, not leaked)


# --- hostile clients -----------------------------------------------------------------------------


def raw_request(base: str, head: str, body_bytes: int = 0, chunk: bytes = b"\0" * 65536) -> tuple[str, int, float]:
    """Send ``head`` then up to ``body_bytes`` of body while no answer has come: (status line,
    body bytes sent before the answer, seconds)."""
    host, port = base.removeprefix("http://").split(":")
    started = time.perf_counter()
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(head.encode())
    sock.setblocking(False)
    sent, answer = 0, b""
    deadline = time.time() + 60
    while time.time() < deadline and b"\r\n" not in answer:
        try:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
            continue
        except BlockingIOError:
            pass
        except ConnectionResetError:
            break
        if sent < body_bytes:
            try:
                sent += sock.send(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                pass
        else:
            time.sleep(0.002)
    sock.close()
    return (answer.split(b"\r\n")[0].decode(errors="replace") or "connection closed"), sent, time.perf_counter() - started


def sse_events(client, body: bytes) -> list[str]:
    with client.stream("POST", "/api/chat", content=body,
                       headers={"Content-Type": "application/json", "Accept": "text/event-stream"}) as r:
        return [line.split(":", 1)[1].strip() for line in r.iter_lines() if line.startswith("event:")]


def run_clients(services, work: Path) -> None:
    import httpx

    from bot.http.app import create_app
    from bot.http.serving import serve_in_thread
    from ingest.settings import Settings

    app = create_app(services.settings)
    app.state.services = services
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=120) as c:
        def check(case, fn, want):
            with Sampler() as m:
                try:
                    status, detail = fn()
                except Exception as exc:  # noqa: BLE001 - a failure is a result here
                    status, detail = f"{type(exc).__name__}", str(exc)
            ok = (want(status) if callable(want) else status in want if isinstance(want, tuple) else status == want)
            ok = ok and m.seconds <= 10
            record("http", case, str(status), str(detail)[:150], m.seconds, None, m.peak - m.start, ok)

        sur = b'{"message": "\\ud800 B\\u1ed9 N\\u1ed9i v\\u1ee5 giao \\u0111\\u01a1n v\\u1ecb n\\u00e0o?"}'
        check("lone surrogate (JSON)", lambda: (lambda r: (r.status_code, r.json().get("question")))(
            c.post("/api/chat", content=sur, headers={"Content-Type": "application/json"})), 200)
        check("lone surrogate (SSE)", lambda: (lambda ev: (ev[-1] if ev else "none", ",".join(ev[:2])))(
            sse_events(c, sur)), "done")
        for flt in ({"year": "abc"}, {"doc_id": {"$ne": 1}}, {"year": 10**30}, {"source": ["a", {"$gt": ""}]}):
            check(f"filter {json.dumps(flt)[:22]}", lambda f=flt: (lambda r: (r.status_code, r.json()["detail"]))(
                c.post("/api/search", json={"query": "ASEAN", "filters": f})), 422)
        check("missing field", lambda: (lambda r: (r.status_code, r.json()["detail"]))(c.post("/api/chat", json={})), 422)
        check("control chars in question", lambda: (lambda r: (r.status_code, r.json().get("question")))(
            c.post("/api/chat", json={"message": "Bộ Nội vụ\x08 giao\u202e đơn vị nào?\x00"})), 200)

        def streamed_json():
            def gen():
                yield b'{"message": "'
                for _ in range(200 * 16):
                    yield b"a" * 65536
                yield b'"}'
            try:
                r = c.post("/api/chat", content=gen(), headers={"Content-Type": "application/json"})
                return r.status_code, r.json().get("detail")
            except httpx.HTTPError as exc:
                return "closed", f"{type(exc).__name__} (server closed after refusing)"
        check("200 MB JSON, streamed", streamed_json, (413, "closed"))
        host = base.removeprefix("http://")
        check("200 MB JSON, declared", lambda: raw_request(
            base, f"POST /api/chat HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {200 * MB}\r\n\r\n", 16 * MB)[:2], lambda status: " 413 " in status)
        check("cross-site upload, no token", lambda: (lambda r: (r.status_code, r.json()["detail"]))(c.post(
            "/api/documents", files={"file": ("x.txt", PLAN.format("Evil").encode(), "text/plain")},
            headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})), 403)
        bundles = [(name, path.read_bytes()) for name, path in (
            ("zip bomb 1 MB via upload", work / "corpus" / "hostile" / "bomb-1gb.docx"),
            ("html 50k divs via upload", work / "corpus" / "hostile" / "deep-50000.html"))]
        for case, data in bundles:
            check(case, lambda d=data, n=case: (lambda r: (r.status_code, r.json()["detail"]))(c.post(
                "/api/documents", files={"file": ("tai-lieu" + (".docx" if "zip" in n else ".html"), d, "x")})), 422)

    # A token set: anonymous 1 GB declared, wrong token; and random X-Forwarded-For against the limit.
    strict = create_app(Settings(home=work / "strict-home", corpus=work / "corpus", model_cache=MODEL_CACHE,
                                 admin_token="s3cret", rate_limit_per_minute=30))
    tmp_before = shutil.disk_usage(tempfile.gettempdir()).used
    with serve_in_thread(strict) as base, httpx.Client(base_url=base, timeout=60) as c:
        host = base.removeprefix("http://")
        check_status, sent, secs = raw_request(
            base, f"POST /api/documents HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer wrong\r\n"
                  f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {1 << 30}\r\n\r\n", 64 * MB)
        grown = (shutil.disk_usage(tempfile.gettempdir()).used - tmp_before) / MB
        record("http", "anonymous 1 GB upload", check_status.split(" ", 1)[-1], f"{sent / MB:.1f} MB sent before the "
               f"answer; /tmp grew {max(grown, 0):.0f} MB", secs, None, None, " 401 " in check_status and sent < 8 * MB)
        started = time.perf_counter()
        codes = [c.post("/api/chat", json={"message": ""},
                        headers={"X-Forwarded-For": f"{random.randint(1, 223)}.{random.randint(0, 255)}."
                                                    f"{random.randint(0, 255)}.{random.randint(1, 254)}"}).status_code
                 for _ in range(40)]
        record("http", "40 requests, random XFF", f"429×{codes.count(429)}", "limit 30/min; X-Forwarded-For ignored "
               "(no trusted proxy)", time.perf_counter() - started, None, None, codes.count(429) == 10)
    strict.state.services.close()


def run_load(services, clients: int, seconds: float) -> None:
    import httpx

    from bot.http.app import create_app
    from bot.http.serving import serve_in_thread

    services.settings.rate_limit_per_minute = 0  # a load test, not a limit test
    app = create_app(services.settings)
    app.state.services = services
    questions = ["Bộ Nội vụ giao đơn vị nào làm đầu mối theo dõi kế hoạch ASEAN?",
                 "Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở ở Quảng Ninh?",
                 "Kế hoạch 2502 của Tây Ninh ban hành ngày nào?", "ASEAN", "Cách nấu phở bò?"]
    with serve_in_thread(app) as base, Sampler() as m:
        def worker(i: int) -> tuple[int, list[str]]:
            ok, errors = 0, []
            deadline = time.time() + seconds
            with httpx.Client(base_url=base, timeout=120) as c:
                n = 0
                while time.time() < deadline:
                    n += 1
                    try:
                        if n % 3 == 0:
                            r = c.post("/api/search", json={"query": questions[(i + n) % 5], "k": 5})
                        elif n % 7 == 0:
                            r = c.get("/healthz")
                        else:
                            r = c.post("/api/chat", json={"message": questions[(i + n) % 5]})
                        ok += r.status_code == 200
                        if r.status_code != 200:
                            errors.append(str(r.status_code))
                    except Exception as exc:  # noqa: BLE001
                        errors.append(type(exc).__name__)
            return ok, errors

        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(worker, range(clients)))
    done = sum(r[0] for r in results)
    errors = [e for r in results for e in r[1]]
    record("load", f"{clients} clients × {seconds:.0f} s", f"{done} ok", f"{len(errors)} errors "
           f"{sorted(set(errors))[:5]}", m.seconds, None, m.peak - m.start, not errors and done > 0)


# --- kill -9, SIGTERM ----------------------------------------------------------------------------


def worker(mode: str, home: str, corpus: str, *files: str) -> None:
    """Run in a child process: an ingest, or uploads through the app; killed from outside."""
    from ingest.settings import Settings

    settings = Settings(home=home, corpus=corpus, model_cache=MODEL_CACHE, admin_token="s3cret")
    if mode == "ingest":
        from bot.services import Services
        from ingest.pipeline import ingest, parse_budget

        services = Services(settings)
        sink = services.indexer()
        sink._ensure()  # the model loaded before READY: kills land in the ingest, not the start
        print("READY", flush=True)
        ingest([Path(corpus)], corpus_root=Path(corpus), ledger=services.ledger, sink=sink,
               max_bytes=50 * MB, uploads_root=settings.uploads_dir, budget=parse_budget(settings))
    else:
        from fastapi.testclient import TestClient

        from bot.http.app import create_app

        app = create_app(settings)
        app.state.services.indexer()._ensure()
        with TestClient(app, headers={"Authorization": "Bearer s3cret"}) as c:
            print("READY", flush=True)
            for f in files:
                r = c.post("/api/documents", files={"file": (Path(f).name, Path(f).read_bytes(), "x")})
                print(f"UPLOADED {Path(f).name} {r.status_code}", flush=True)
    print("DONE", flush=True)


def check_consistency(settings, embedder) -> tuple[bool, bool, int, list[str]]:
    """(ledger = store before recovery, after recovery, documents, sources) for a home whose
    writer was just killed: recovery is what the next server start or ingest does."""
    from bot.http.uploads import recover_uploads
    from bot.services import Services
    from ingest.pipeline import ingest, parse_budget

    services = Services(settings)
    services.__dict__["embedder"] = embedder
    try:
        expected = {e["doc_id"]: e["chunks"] for e in services.ledger.entries.values()}
        before = services.store.doc_ids() == expected
        recover_uploads(services)
        services.reconcile()
        # The interrupted run done again: every file of the corpus and the uploads is indexed.
        ingest([settings.corpus, settings.uploads_dir], corpus_root=settings.corpus, ledger=services.ledger,
               sink=services.indexer(), max_bytes=50 * MB, uploads_root=settings.uploads_dir,
               budget=parse_budget(settings))
        expected = {e["doc_id"]: e["chunks"] for e in services.ledger.entries.values()}
        after = services.store.doc_ids() == expected
        return before, after, len(expected), sorted(services.ledger.entries)
    finally:
        services.close()


def run_kills(work: Path, runs: int, embedder) -> None:
    from ingest.settings import Settings

    corpus = work / "kill-corpus"
    for name in SMALL:
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / name, corpus / name)
    uploads = [work / "up" / f"ke-hoach-{i}.txt" for i in range(3)]
    uploads[0].parent.mkdir(exist_ok=True)
    for i, path in enumerate(uploads):
        path.write_text(PLAN.format(f"Upload {i}") * (i + 1), encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    durations: dict[str, float] = {}
    for run in range(runs):
        mode = "ingest" if run % 2 == 0 else "upload"
        home = work / f"kill-home-{mode}"
        settings = Settings(home=home, corpus=corpus, model_cache=MODEL_CACHE)
        cmd = [sys.executable, "-m", "eval.hostile", "--worker", mode, str(home), str(corpus),
               *([str(p) for p in uploads] if mode == "upload" else [])]
        if mode == "ingest":
            shutil.rmtree(home, ignore_errors=True)  # a fresh ingest each time: the most to interrupt
        else:
            for p in uploads:  # the same names again: replacing files is the riskiest moment
                p.write_text(p.read_text(encoding="utf-8") + f"\nLần {run}.\n", encoding="utf-8")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=REPO)
        assert proc.stdout.readline().strip() == "READY"
        started = time.perf_counter()
        if mode not in durations:  # the first run of a kind completes: how long the window is
            lines = proc.stdout.read().splitlines()
            proc.wait()
            durations[mode] = time.perf_counter() - started
            delay, killed = durations[mode], False
        else:
            delay = random.uniform(0, durations[mode])
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            lines = proc.stdout.read().splitlines()
            killed = "DONE" not in lines
        before, after, docs, sources = check_consistency(settings, embedder)
        uploaded_ok = [ln.split()[1] for ln in lines if ln.startswith("UPLOADED") and ln.split()[2] in ("200", "201")]
        lost = [n for n in uploaded_ok if f"uploads/{n}" not in sources]
        want_docs = len(SMALL) + (len(uploads) if mode == "upload" else 0)
        ok = after and not lost and docs == want_docs
        record("kill-9", f"{mode} #{run + 1} at {delay:.1f}s", "killed" if killed else "completed",
               f"ledger=store before recovery: {before}, after: {after}; {docs} documents; lost {len(lost)}",
               delay, None, None, ok)


def run_sigterm(work: Path) -> None:
    """SIGTERM while a slow upload is being parsed: the server stops, in about the parse budget."""
    import httpx

    home, corpus = work / "term-home", work / "term-corpus"
    corpus.mkdir()
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    number = port.getsockname()[1]
    port.close()
    env = {**os.environ, "ASEANBOT_HOME": str(home), "ASEANBOT_CORPUS": str(corpus), "PYTHONPATH": str(REPO),
           "ASEANBOT_MODEL_CACHE": str(MODEL_CACHE), "HF_HUB_OFFLINE": "1", "ASEANBOT_PARSE_TIMEOUT": "10"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "bot.http.app:create_app", "--port",
                               str(number), "--no-proxy-headers", "--log-level", "warning"], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{number}"
    for _ in range(300):
        try:
            httpx.get(f"{base}/api/documents", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    page = ("<html><body>" + "<p>Ủy ban nhân dân tỉnh giao Sở chủ trì tuyên truyền.</p>" * 45_000 + "</body></html>")
    # A small upload first: the model is loaded, so what SIGTERM waits for is the slow parse.
    httpx.post(f"{base}/api/documents", timeout=120, files={"file": ("a.txt", PLAN.format("A").encode(), "text/plain")})
    threading.Thread(target=lambda: httpx.post(f"{base}/api/documents", timeout=120,
                                               files={"file": ("slow.html", page.encode(), "text/html")}),
                     daemon=True).start()
    time.sleep(2.0)
    started = time.perf_counter()
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
        stopped = time.perf_counter() - started
    except subprocess.TimeoutExpired:
        server.kill()
        stopped = float("inf")
    record("sigterm", "SIGTERM during slow upload", "stopped" if stopped < 60 else "hung",
           f"exit code {server.returncode}", stopped, None, None, stopped <= 15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--kills", type=int, default=22, help="kill -9 runs (ingest and upload alternate)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--only", nargs="+", choices=["files", "http", "load", "kills", "sigterm"],
                        help="run these parts only (default: all)")
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from bot.services import Services
    from ingest.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="aseanbot-hostile-"))
    try:
        root = work / "corpus"
        (root / "asean").mkdir(parents=True)
        shutil.copy(CORPUS / SMALL[0], root / SMALL[0])
        services = Services(Settings(home=work / "home", corpus=root, model_cache=MODEL_CACHE))
        services.indexer()._ensure()
        services.store.count()
        print(f"baseline RSS with the model loaded: {rss_mb():.0f} MB; work folder {work}")
        print(f"{'':3} {'group':7} {'case':28} {'outcome':11} {'wall':>8} {'child':>7} {'server':>7}  reason")
        parts = set(args.only or ["files", "http", "load", "kills", "sigterm"])
        if "files" in parts or "http" in parts:  # the uploads over HTTP reuse the generated files
            run_files(services, root, work / "outside")
        if "http" in parts:
            run_clients(services, work)
        if "load" in parts:
            run_load(services, args.clients, args.seconds)
        embedder = services.embedder
        services.close()
        if "kills" in parts:
            run_kills(work, args.kills, embedder)
        if "sigterm" in parts:
            run_sigterm(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    bad = [r for r in RESULTS if not r["ok"]]
    # Hostile files refused (a readable one is then embedded like any document: the model's cost).
    files = [r for r in RESULTS if r["group"] == "file" and not r["case"].startswith("control")
             and "ingested" not in r["outcome"]] or [dict(seconds=0, child_mb=0, server_mb=0)]
    print(f"\n{len(RESULTS)} cases, {len(bad)} not meeting the targets.")
    print(f"hostile files refused: slowest {max(r['seconds'] for r in files):.2f} s, highest parse-child peak "
          f"{max((r['child_mb'] or 0) for r in files):.0f} MB, highest server growth "
          f"{max((r['server_mb'] or 0) for r in files):+.0f} MB")
    print("responses 500: " + str(sum(1 for r in RESULTS if r["outcome"].startswith("500"))))
    for r in bad:
        print(f"  not met: {r['group']} {r['case']}: {r['outcome']} {r['reason']}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
