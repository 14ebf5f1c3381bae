"""The widget and the demo store: `/`, `/widget/wismo-widget.js`, `/widget/session`.

A store adds the widget with one script tag (docs/widget.md). The script is
built from bot/web/widget by `make widget`. `POST /widget/session` gives a
browser a new conversation: a JWT naming a random session id
(bot/channels/widget_token.py), which Rasa's socket.io channel checks on
connect. A browser on an origin not in `WISMO_ALLOWED_ORIGINS` gets a 403; a
client that sends no Origin (curl, the bench) is not a browser page and gets a
session like any other.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request, send_from_directory

from bot.channels import widget_token
from bot.web.context import settings_of

STATIC = Path(__file__).resolve().parent / "static"
WIDGET_FILE = "wismo-widget.js"
# The demo order the store's page suggests trying (README's tour, first row).
DEMO_TRY = {"order": "WM-104233", "email": "jane.doe@example.com", "zip": "94107"}

blueprint = Blueprint("shop", __name__, template_folder="templates", static_folder="static")


@blueprint.get("/")
def store() -> str:
    """The demo store's page, with the widget on it as a store would add it."""
    settings = settings_of()
    return render_template("shop/index.html", rasa_url=settings.rasa_public_url, demo=DEMO_TRY)


@blueprint.get(f"/widget/{WIDGET_FILE}")
def widget_script() -> Response:
    """The widget's script (built by `make widget`)."""
    if not (STATIC / WIDGET_FILE).is_file():
        return Response(
            "The widget is not built: run `make widget`.\n", status=404, mimetype="text/plain"
        )
    answer = send_from_directory(STATIC, WIDGET_FILE, mimetype="text/javascript", max_age=0)
    answer.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # stores embed it
    return answer


@blueprint.route("/widget/session", methods=["POST", "OPTIONS"])
def new_session() -> Response:
    """A new widget conversation for a page on an allowed origin: its token and limits."""
    settings = settings_of()
    origin = request.headers.get("Origin")
    if origin is not None and origin.rstrip("/") not in settings.allowed_origins:
        answer = jsonify({"error": "This site may not open the chat (origin not allowed)."})
        answer.status_code = 403
        return answer
    if request.method == "OPTIONS":
        answer = Response(status=204)
        answer.headers["Access-Control-Allow-Methods"] = "POST"
    else:
        lifetime = int(settings.widget_session_hours * 3600)
        token, session = widget_token.issue(settings.secret, lifetime)  # real time, as Rasa checks
        answer = jsonify(
            {
                "token": token,
                "expires_at": session.expires_at,
                "max_message_chars": settings.max_message_chars,
            }
        )
    answer.headers["Cache-Control"] = "no-store"
    answer.headers["Vary"] = "Origin"
    if origin is not None:
        answer.headers["Access-Control-Allow-Origin"] = origin
    return answer
