"""`wismo fakes`: Twilio's Messages API and Meta's Graph API, on this machine, in one process.

The stack's phone channels send through these when no account is configured (the
defaults of bot/channels/messaging_settings.py point here), and a developer or a
test plays the shopper's phone through their `/_fake/...` endpoints: the fake
signs the message as the platform would and delivers it to the channel's webhook.

    POST /_fake/twilio/inbound      {"from": "+15551234567", "body": "where is my order?"}
                                    ("channel": "whatsapp" for WhatsApp through Twilio)
    GET  /_fake/twilio/messages     what the bot sent, oldest first (?to=+1555...)
    POST /_fake/whatsapp/inbound    {"from": "15551234567", "text": "where is my order?"}
    GET  /_fake/whatsapp/messages   what the bot sent through the Graph API
    GET  /healthz
"""

from __future__ import annotations

import waitress
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from bot.demo import fake_graph, fake_twilio
from bot.demo.fake_graph import FakeGraphConfig
from bot.demo.fake_twilio import FakeTwilioConfig


def create_app(twilio: FakeTwilioConfig, graph: FakeGraphConfig) -> Flask:
    """Both fakes, each with its own state, behind one address."""
    app = Flask(__name__)
    app.register_blueprint(fake_twilio.blueprint(twilio))
    app.register_blueprint(fake_graph.blueprint(graph))

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify({"status": "ok"})

    return app


def serve(app: Flask, host: str, port: int) -> None:
    """Serve the fakes until stopped (waitress: a real server, several threads)."""
    waitress.serve(app, host=host, port=port, threads=8, ident="wismo-fakes")
