"""The web process's app factory and its server.

One Flask app, one blueprint per page family (bot/web/shop.py: the widget and
the demo store; bot/web/webhooks.py: carriers' webhooks; bot/web/console.py, agents.py
and leads.py: the support console), served by waitress: a
production WSGI server, not Flask's development server. `/healthz` says whether
this process is up and whether the Rasa server it points browsers at answers.
"""

from __future__ import annotations

import requests
import waitress
from flask import Flask, Response, jsonify

from bot.config import Settings
from bot.web import agents, console, leads, shop, trends, webhooks
from bot.web.context import SETTINGS, settings_of
from bot.web.labels import channel_label

RASA_PROBE_SECONDS = 1.0


def create_app(settings: Settings) -> Flask:
    """The web process's app for these settings."""
    app = Flask(__name__)
    app.config[SETTINGS] = settings
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # nothing here takes more than a small form
    app.register_blueprint(shop.blueprint)
    app.register_blueprint(webhooks.blueprint)
    app.register_blueprint(console.blueprint)
    app.register_blueprint(agents.blueprint)
    app.register_blueprint(leads.blueprint)
    app.register_blueprint(trends.blueprint)
    app.add_template_filter(channel_label, "channel_label")
    app.add_url_rule("/healthz", "healthz", health)
    app.after_request(_safe_headers)
    return app


def health() -> Response:
    """This process is up; and whether the Rasa server answers (within a second)."""
    try:
        rasa_up = requests.get(settings_of().rasa_url + "/", timeout=RASA_PROBE_SECONDS).ok
    except requests.RequestException:
        rasa_up = False
    return jsonify({"status": "ok", "rasa": "up" if rasa_up else "down"})


def _safe_headers(answer: Response) -> Response:
    answer.headers.setdefault("X-Content-Type-Options", "nosniff")
    answer.headers.setdefault("Referrer-Policy", "same-origin")
    return answer


def serve(app: Flask, host: str, port: int, trusted_proxy: str = "") -> None:
    """Serve the app with waitress until the process is stopped. Behind `trusted_proxy`,
    a request's address is the last one that proxy put in X-Forwarded-For (what a client
    wrote before it is not believed); from anywhere else, and without one, the header is
    dropped."""
    proxy: dict[str, object] = {}
    if trusted_proxy:
        proxy = {
            "trusted_proxy": trusted_proxy,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for"},
        }
    waitress.serve(
        app, host=host, port=port, ident="wismo", clear_untrusted_proxy_headers=True, **proxy
    )
