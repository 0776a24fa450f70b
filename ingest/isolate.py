"""Every file is parsed in a child process, under a time and a memory budget.

Parsers are large C and Python libraries fed bytes anyone may have written: one file can pin
a core for minutes (50,000 nested <div>s did, for 25), inflate gigabytes, or crash. A thread
cannot be stopped; a process can. So ingest parses each file in a child forked from a
``forkserver`` that already holds the ingest modules (a child starts in ~20 ms, not the ~1 s
of a fresh interpreter; forking the server itself would copy its threads' locks), waits for
the result with a deadline, watches the child's memory, and ends it (its process group, so
OCR subprocesses too) when the budget is spent. The file is skipped with the reason; the
server's own memory and threads are untouched, it keeps answering and SIGTERM stops it.

The budget grows with what a file legitimately holds: a loader that finds 300 pages to read or
20 to OCR calls :func:`extend_budget` (a no-op outside a child). A child whose parent died
stops itself at its CPU limit.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing import popen_forkserver, spawn
from multiprocessing.context import ForkServerProcess
from typing import Any

from ingest.document import LoadError

log = logging.getLogger(__name__)

# Imported once in the forkserver, shared by every child (copy-on-write).
PRELOAD = ["ingest.pipeline", "ingest.loaders", "ingest.word", "ingest.webpage", "ingest.pdf",
           "ingest.plaintext", "ingest.tasks"]
_POLL = 0.05  # seconds between memory checks of a child

OUT_OF_MEMORY = "tệp cần quá nhiều bộ nhớ để đọc"


@dataclass(frozen=True)
class ParseBudget:
    """What one file's parse may cost, task extraction included. The largest real document here
    (a 5.8 MiB document.xml, /work/shared/scale-corpus) takes 5.3 s at 149 MB RSS (DOCX get
    1 s per MiB of XML on top), the corpus's 24-page PDF 1.1 s. Plain text and HTML get no
    extension: past ~1.5 MB of text (task extraction runs ~5 µs a byte) they need a larger
    ASEANBOT_PARSE_TIMEOUT."""

    seconds: float = 9.5  # a file past it is answered within 10 s, teardown included
    memory_mb: int = 384  # the child's resident memory, preloaded modules (~70 MB) included
    max_seconds: float = 1800.0  # extensions (pages, OCR) stop here


@dataclass
class ParseOutcome:
    doc: Any | None  # a ParsedDocument, or None with a reason
    reason: str = ""
    peak_mb: float | None = None
    seconds: float = 0.0


_channel: Any = None  # in a child: the pipe to the parent


def extend_budget(seconds: float) -> None:
    """Ask for more parse time for work the file legitimately holds (no-op outside a child)."""
    if _channel is None or seconds <= 0:
        return
    _channel.send(("extend", float(seconds)))
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft != resource.RLIM_INFINITY:
        wanted = soft + int(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)  # ignored once the server runs: same list every time
    return ctx


_launch_lock = threading.Lock()


def _without_main(get_data):
    def prepare(name):
        data = get_data(name)
        # A child re-imports the parent's __main__ unless told not to: the `aseanbot` script
        # (typer, rich: ~0.3 s a file), a benchmark, or "<stdin>", which fails. Parsing needs
        # none of it: the preloaded modules are the whole program.
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    return prepare


class _Popen(popen_forkserver.Popen):
    def _launch(self, process_obj):
        with _launch_lock:
            saved = spawn.get_preparation_data
            spawn.get_preparation_data = _without_main(saved)
            try:
                super()._launch(process_obj)
            finally:
                spawn.get_preparation_data = saved


class _Process(ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def parse_in_child(budget: ParseBudget, **kwargs: Any) -> ParseOutcome:
    """``ingest.pipeline.parse_file(**kwargs)`` in a child, plus the document's tasks."""
    ctx = _context()
    reader, writer = ctx.Pipe(duplex=False)
    cpu = int(budget.seconds * 2) + 5
    proc = _Process(target=_child, args=(writer, kwargs, cpu), name="aseanbot-parse")
    started = time.monotonic()
    proc.start()
    writer.close()
    deadline = time.monotonic() + budget.seconds
    limit_kb = budget.memory_mb * 1024
    peak_kb = 0
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                peak_kb = max(peak_kb, _status_kb(proc.pid, "VmHWM"))
                _stop(proc)
                allowed = deadline - started
                return ParseOutcome(None, f"đọc tệp quá thời gian cho phép ({allowed:.0f} giây): bỏ qua",
                                    peak_kb / 1024, time.monotonic() - started)
            if reader.poll(min(_POLL, deadline - now)):
                try:
                    message = reader.recv()
                except (EOFError, OSError):
                    proc.join(2)
                    code = proc.exitcode
                    return ParseOutcome(None, _died(code), peak_kb / 1024 or None, time.monotonic() - started)
                if message[0] == "extend":
                    deadline = min(deadline + message[1], started + budget.max_seconds)
                    continue
                kind, value, child_peak_mb = message
                seconds = time.monotonic() - started
                peak_mb = max(peak_kb / 1024, child_peak_mb or 0.0)
                if kind == "ok":
                    return ParseOutcome(value, "", peak_mb, seconds)
                return ParseOutcome(None, value, peak_mb, seconds)
            rss = _status_kb(proc.pid, "VmRSS")
            peak_kb = max(peak_kb, rss)
            if rss > limit_kb:
                _stop(proc)
                return ParseOutcome(None, f"{OUT_OF_MEMORY} (hơn {budget.memory_mb} MB): bỏ qua",
                                    peak_kb / 1024, time.monotonic() - started)
            if not proc.is_alive() and not reader.poll(0):
                return ParseOutcome(None, _died(proc.exitcode), peak_kb / 1024 or None, time.monotonic() - started)
    finally:
        _stop(proc)
        reader.close()


def _died(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"trình đọc tệp bị dừng ({name}): bỏ qua"
    return f"trình đọc tệp dừng bất thường (mã {code}): bỏ qua"


def _stop(proc) -> None:
    """End a child and everything it started (it leads its own process group). Idempotent."""
    try:
        running = proc.exitcode is None
    except ValueError:  # closed already
        return
    if running:
        for target in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
            try:
                target()
            except (ProcessLookupError, PermissionError, OSError):
                pass
        proc.join(5)
    try:
        proc.close()
    except ValueError:
        pass


def _status_kb(pid: int | None, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _child(channel: Any, kwargs: dict, cpu_seconds: int) -> None:
    global _channel
    _channel = channel
    try:
        os.setpgid(0, 0)  # its own group: ending it ends its OCR subprocesses too
    except OSError:
        pass
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds if hard == resource.RLIM_INFINITY else min(cpu_seconds, hard), hard))
    try:
        from ingest.pipeline import parse_file
        from ingest.tasks import tasks_for_document

        doc = parse_file(**kwargs)
        # Task extraction runs on the document's text too: under the same budget.
        doc.tasks = tasks_for_document(doc)
        message: tuple = ("ok", doc)
    except LoadError as exc:
        message = ("error", exc.reason)
    except MemoryError:
        message = ("error", OUT_OF_MEMORY)
    except RecursionError:
        message = ("error", "tệp lồng nhau quá sâu để đọc")
    except Exception as exc:  # a parser bug costs one file, as in the parent before
        log.exception("ingest failed for %s", kwargs.get("source"))
        message = ("error", f"internal error: {type(exc).__name__}: {str(exc)[:150]}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        channel.send((*message, peak_mb))
    except (BrokenPipeError, OSError):
        pass  # the parent gave up on this file or is gone
    channel.close()
