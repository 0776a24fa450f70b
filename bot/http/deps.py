"""FastAPI dependencies shared by every router: the app's one Services object."""
from __future__ import annotations

from fastapi import Request

from bot.services import Services


def get_services(request: Request) -> Services:
    return request.app.state.services
