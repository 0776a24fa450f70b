"""`aseanbot admin …` (accounts of the admin page) and `aseanbot questions` (the questions log).

Imports stay inside the commands: `aseanbot --help` must not load the model or argon2.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from ingest.settings import get_settings

admin_app = typer.Typer(help="Admin page accounts (sign-in at /admin).", no_args_is_help=True)
console = Console()


def _auth():
    from bot.admin.auth import AdminAuth

    s = get_settings()
    return AdminAuth(s.admin_db, session_minutes=s.admin_session_minutes, max_failures=s.admin_max_failures,
                     lockout_minutes=s.admin_lockout_minutes)


@admin_app.command("create-user")
def create_user(username: str = typer.Argument(..., help="Login name (letters, digits, . _ @ -)."),
                password_stdin: bool = typer.Option(False, "--password-stdin",
                                                    help="Read the password from standard input (scripts)."),
                replace: bool = typer.Option(False, "--replace", help="Set a new password for an existing account.")) -> None:
    """Create an admin account (or, with --replace, set its password; its sessions end)."""
    import sys

    from bot.admin.auth import AuthError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    try:
        _auth().create_user(username, password, replace=replace)
    except AuthError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2)
    console.print(f"Đã {'đặt lại mật khẩu cho' if replace else 'tạo'} tài khoản {username}. "
                  f"Đăng nhập tại /admin trên máy chủ.")


@admin_app.command("list-users")
def list_users() -> None:
    """List the admin accounts."""
    for name in _auth().users():
        typer.echo(name)


def questions_command(unanswered: bool, down: bool, since: Optional[str], xlsx: Optional[Path],
                      group: bool) -> int:
    from bot.admin.review import embed_questions, export_xlsx, group_rows
    from bot.questions_log import OUTCOME_NAMES, QuestionsLog, parse_since

    settings = get_settings()
    try:
        moment = parse_since(since)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    log = QuestionsLog(settings.questions_db, settings.questions_retention_days)
    rows = log.rows(since=moment, unanswered=unanswered, down=down)
    if not rows:
        console.print("Không có câu hỏi nào phù hợp.")
        return 0
    if group or xlsx:
        # Grouping by meaning needs the embedding model; plain listing does not.
        from index.embeddings import get_embedding

        embedder = get_embedding(settings.embed_model, settings.models_dir, query_encoder=settings.query_encoder)
        groups = group_rows(rows, lambda texts: embed_questions(embedder, texts))
    else:
        groups = [{"question": r["question"], "count": 1, "rows": [r]} for r in rows]
    if xlsx:
        export_xlsx(groups, xlsx)
        console.print(f"Đã xuất {len(rows)} câu hỏi ({len(groups)} nhóm) ra {xlsx}")
        return 0
    table = Table(title=f"{len(rows)} câu hỏi")
    for col in ("lần", "câu hỏi", "kết quả", "góp ý", "gần nhất", "mức"):
        table.add_column(col)
    for g in groups:
        last = g["rows"][0]
        table.add_row(str(g["count"]), g["question"], OUTCOME_NAMES.get(last["outcome"], last["outcome"]),
                      {"up": "👍", "down": "👎"}.get(last.get("feedback") or "", ""), last["ts"][:16].replace("T", " "),
                      last["level"])
    console.print(table)
    return 0
