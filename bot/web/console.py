"""The console's doors: logging in and out, who is signed in, and CSRF.

    GET  /console/login    the form (and a fresh login CSRF cookie)
    POST /console/login    username, password, csrf: a session cookie, or 401 / 429
    POST /console/logout   ends the session

A browser holds a random session token in an HttpOnly, SameSite=Strict cookie; the store
keeps its digest, the account and a CSRF token. Every POST of the console must carry
that CSRF token (a form's `csrf` field or the `X-CSRF-Token` header) and, when the
browser sends an Origin, come from this site; else 403. The login form, before there is
a session, is protected the same way by a double-submit cookie. Pages that need a
sign-in send a browser to the login page (API calls get 401); a page for leads answers
an agent 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from bot.bootstrap import build_accounts, build_console, build_repository
from bot.config import Settings
from bot.domain.accounts import Account, ConsoleSession, Role, new_token
from bot.domain.clock import Clock
from bot.services.accounts import Accounts, LoginRefused
from bot.services.console import Console
from bot.web.context import built, settings_of

REAL_CLOCK = Clock()
SESSION_COOKIE = "wismo_console"
LOGIN_COOKIE = "wismo_login"
CSRF_HEADER = "X-CSRF-Token"
POLL_HEADER = "X-Console-Refresh"  # a page refreshing itself: the session is not kept alive
_SERVICES = "wismo.console"
NOTICES = {
    "expired": "Your session ended. Please log in again.",
    "out": "You're logged out.",
}

blueprint = Blueprint("console", __name__, url_prefix="/console")
View = TypeVar("View", bound=Callable[..., Any])


def services() -> tuple[Accounts, Console]:
    """The app's accounts and console use cases, built on first use."""

    def build(settings: Settings) -> tuple[Accounts, Console]:
        repository = build_repository(settings)
        return build_accounts(settings, repository), build_console(settings, repository)

    return built(_SERVICES, build)


def signed_in(role: Role = Role.AGENT) -> Callable[[View], View]:
    """Only for a signed-in person whose role opens pages that need `role`."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            token = request.cookies.get(SESSION_COOKIE, "")
            touch = request.headers.get(POLL_HEADER) is None  # the page's own refresh
            found = services()[0].current(token, real_now(), touch) if token else None
            if found is None:
                if request.method != "GET" or request.path.endswith(".json"):
                    return page("message.html", 401, text=NOTICES["expired"], login=True)
                notice = "expired" if token else None
                return redirect(url_for("console.login", next=request.path, notice=notice))
            g.account, g.session = found
            if not g.account.role.may(role):
                return page("message.html", 403, text="This page is for support leads.")
            if request.method == "POST" and not _csrf_ok(g.session):
                return page("message.html", 403, text=_CSRF_REFUSED)
            return view(*args, **kwargs)

        return cast(View, guarded)

    return decorate


_CSRF_REFUSED = "This form expired or came from another site. Reload the page and try again."


def _csrf_ok(session: ConsoleSession) -> bool:
    sent = request.form.get("csrf") or request.headers.get(CSRF_HEADER) or ""
    return _same_origin() and hmac.compare_digest(sent.encode(), session.csrf.encode())


def _same_origin() -> bool:
    """A browser's Origin, when it sends one, is this site's."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.host


def real_now() -> datetime:
    """Sessions and login limits run on real time, even when the demo fixes the store's
    "now" (WISMO_NOW): a fixed clock would make sessions eternal."""
    return REAL_CLOCK.now()


def page(template: str, status: int = 200, **values: Any) -> Response:
    """A console page: no caching, no framing, scripts and styles from this site only."""
    account: Account | None = g.get("account")
    session: ConsoleSession | None = g.get("session")
    body = render_template(
        f"console/{template}",
        account=account,
        csrf=session.csrf if session else "",
        **values,
    )
    answer = Response(body, status=status, mimetype="text/html")
    return secure(answer)


def secure(answer: Response) -> Response:
    """The console's headers on an answer."""
    answer.headers["Cache-Control"] = "no-store"
    answer.headers["X-Frame-Options"] = "DENY"
    answer.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
        " connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    return answer


blueprint.after_request(secure)  # every answer, JSON and redirects too


@blueprint.get("/login")
def login() -> Response:
    """The login form, with a fresh double-submit CSRF cookie."""
    token = new_token()
    notice = NOTICES.get(request.args.get("notice", ""))
    answer = page("login.html", csrf_login=token, notice=notice, next=_next_path())
    answer.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict", path="/console")
    return answer


@blueprint.post("/login")
def log_in() -> Response:
    """A session for the right username and password, within the attempts allowed."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    sent = request.form.get("csrf", "")
    if not (cookie and _same_origin() and hmac.compare_digest(cookie.encode(), sent.encode())):
        return page("message.html", 403, text=_CSRF_REFUSED, login=True)
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")[:512]
    settings = settings_of()
    try:
        done = services()[0].log_in(username, password, request.remote_addr or "", real_now())
    except LoginRefused as refused:
        if refused.limited:
            text = f"Too many attempts. Try again in {refused.retry_minutes} minutes."
            return page("login.html", 429, error=text, csrf_login=cookie, next=_next_path())
        text = "Wrong username or password."
        return page("login.html", 401, error=text, csrf_login=cookie, next=_next_path())
    answer = secure(cast(Response, redirect(_next_path() or url_for("agents.queue"), code=303)))
    answer.set_cookie(
        SESSION_COOKIE,
        done.token,
        max_age=int(settings.console_session_hours * 3600),
        httponly=True,
        secure=request.is_secure,
        samesite="Strict",
        path="/console",
    )
    answer.delete_cookie(LOGIN_COOKIE, path="/console")
    return answer


@blueprint.post("/logout")
@signed_in()
def log_out() -> Response:
    """End this browser's session."""
    services()[0].log_out(request.cookies.get(SESSION_COOKIE, ""))
    answer = secure(cast(Response, redirect(url_for("console.login", notice="out"), code=303)))
    answer.delete_cookie(SESSION_COOKIE, path="/console")
    return answer


def _next_path() -> str:
    """Where to go after logging in: a console path of this site, never another site."""
    wanted = request.values.get("next", "")
    if wanted.startswith("/console") and "//" not in wanted and "\\" not in wanted:
        return wanted
    return ""
