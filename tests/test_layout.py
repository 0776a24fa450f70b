"""The code's floors: language → settings → ingest → index → answer → summary → services →
HTTP → CLI. A module may import its own floor or a lower one, never a higher one, so a reader
can walk the code in the order the data flows. Module size is checked too: one concept a module."""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("ingest", "index", "bot")
FLOORS = [  # (prefix, floor); the longest matching prefix wins
    ("ingest.lang", 0), ("ingest.settings", 1), ("ingest", 2), ("index", 3),
    ("bot.answer", 4), ("bot.summary", 5), ("bot.services", 6), ("bot", 6),
    ("bot.http", 7), ("bot.mcp", 7), ("bot.cli", 8),
]
# Modules allowed past ~500 lines, each with the reason stated in its docstring.
LONG_OK: set[str] = set()


def floor(module: str) -> int | None:
    best = None
    for prefix, level in FLOORS:
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, level)
    return best[1] if best else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py"))


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every product module imported anywhere in the file (function-level imports too)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            if node.module in PACKAGES or "." in node.module:  # "from bot.http import pages" imports a module too
                found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return [(line, m) for line, m in found if m.split(".")[0] in PACKAGES]


def test_no_module_imports_a_higher_floor():
    upward = []
    for path in product_modules():
        me = module_name(path)
        mine = floor(me)
        for line, target in imported(ast.parse(path.read_text(encoding="utf-8"))):
            theirs = floor(target)
            if theirs is not None and mine is not None and theirs > mine:
                upward.append(f"{path.relative_to(REPO)}:{line} ({me}, floor {mine}) imports {target} (floor {theirs})")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_language_layer_imports_nothing_else_of_the_product():
    for path in (REPO / "ingest" / "lang").rglob("*.py"):
        for line, target in imported(ast.parse(path.read_text(encoding="utf-8"))):
            assert target.startswith("ingest.lang"), f"{path.name}:{line} imports {target}"


def test_modules_stay_small():
    long = [f"{module_name(p)}: {n} lines" for p in product_modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 520 and module_name(p) not in LONG_OK]
    assert not long, "modules over ~500 lines:\n" + "\n".join(long)


def test_floor_table_names_every_package():
    assert all(floor(module_name(p)) is not None for p in product_modules())
