"""Who is calling, at which access level: the one dependency every HTTP way out uses.

- ``Authorization: Bearer <key>`` with a key of ``ASEANBOT_API_KEYS`` → that key's level;
  ``ASEANBOT_ADMIN_TOKEN`` → internal;
- a signed-in admin session (the admin page's cookie) → internal;
- anyone else (the citizen widget, an unknown key) → public.

Routes take ``view: AccessView = Depends(get_view)`` and read documents only through it
(bot/access.py), so the level is applied by the store's filter and the ledger view, not by
each route.
"""
from __future__ import annotations

import hmac

from fastapi import Request

from bot.access import AccessView, view_for
from bot.admin.auth import AdminAuth, AdminSession, AuthError
from ingest.levels import INTERNAL, PUBLIC, check_level

# __Host-: only ever set by this host over HTTPS, for the whole site, never by a subdomain.
SESSION_COOKIE = "__Host-aseanbot-admin"
LOGIN_COOKIE = "__Host-aseanbot-login"
CSRF_HEADER = "x-csrf-token"


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else ""


def key_level(settings, token: str) -> str | None:
    """The level a bearer token grants, None for a token that is no key of ours."""
    if not token:
        return None
    found = None
    # Every key is compared (constant time each), so timing does not tell which one matched.
    for key, level in settings.api_key_levels.items():
        if hmac.compare_digest(token.encode(), key.encode()):
            found = check_level(level)
    if settings.admin_token and hmac.compare_digest(token.encode(), settings.admin_token.encode()):
        found = INTERNAL
    return found


def admin_auth(request: Request) -> AdminAuth:
    """The app's accounts and sessions, opened on first use."""
    state = request.app.state
    auth = getattr(state, "admin_auth", None)
    if auth is None:
        s = state.services.settings
        auth = state.admin_auth = AdminAuth(s.admin_db, session_minutes=s.admin_session_minutes,
                                            max_failures=s.admin_max_failures,
                                            lockout_minutes=s.admin_lockout_minutes)
    return auth


def admin_session(request: Request) -> AdminSession | None:
    """The caller's live admin session, None without one (no error: for reading the level)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return admin_auth(request).session(token)
    except AuthError:
        return None


def caller_level(request: Request) -> str:
    level = key_level(request.app.state.services.settings, bearer_token(request))
    if level is not None:
        return level
    return INTERNAL if admin_session(request) is not None else PUBLIC


def get_view(request: Request) -> AccessView:
    """The services as this caller may see them (use as ``Depends(get_view)``)."""
    return view_for(request.app.state.services, caller_level(request))
