"""The web process (`wismo web`): a real waitress server, as `make run` starts it."""

from __future__ import annotations

import http.server
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.channels import widget_token
from tests.support.stack import ROOT, free_port, serving

WISMO = ROOT / ".venv" / "bin" / "wismo"
SECRET = "web-process-test-secret"  # noqa: S105 (the test deployment's, made up)
STORE = "http://shop.example"


@dataclass
class Web:
    url: str
    rasa_port: int


class RasaRoot(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"Hello from Rasa: 3.6.21")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    port, rasa_port = free_port(), free_port()
    workdir = tmp_path_factory.mktemp("web")
    env = {
        **os.environ,
        "WISMO_SECRET": SECRET,
        "WEB_PORT": str(port),
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "RASA_PUBLIC_URL": "http://chat.shop.example",
        "WISMO_ALLOWED_ORIGINS": f"{STORE}, http://localhost:{port}",
        "MAX_MESSAGE_CHARS": "500",
        "DATABASE_URL": f"sqlite:///{workdir}/w.db",
    }
    url = f"http://127.0.0.1:{port}"
    with serving([str(WISMO), "web"], env, f"{url}/healthz", workdir / "web.log", timeout=60):
        yield Web(url, rasa_port)


def test_it_is_served_by_waitress_not_a_development_server(web: Web) -> None:
    assert requests.get(f"{web.url}/healthz", timeout=5).headers["Server"] == "wismo"


def test_the_demo_store_carries_the_widget_with_one_script_tag_pointing_at_rasa(web: Web) -> None:
    page = requests.get(f"{web.url}/", timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    tags = re.findall(r"<script\b[^>]*>", page.text)
    assert len(tags) == 1
    assert 'src="/widget/wismo-widget.js"' in tags[0]
    assert 'data-server="http://chat.shop.example"' in tags[0]
    assert "WM-104233" in page.text  # the order the page suggests trying


def test_a_page_on_an_allowed_origin_gets_a_session_rasa_will_accept(web: Web) -> None:
    answer = requests.post(f"{web.url}/widget/session", headers={"Origin": STORE}, timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == STORE
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    session = widget_token.check(SECRET.encode(), body["token"])
    assert session is not None and session.expires_at == body["expires_at"]
    assert 23 * 3600 < body["expires_at"] - time.time() <= 24 * 3600
    assert body["max_message_chars"] == 500
    again = requests.post(f"{web.url}/widget/session", headers={"Origin": STORE}, timeout=5)
    other = widget_token.check(SECRET.encode(), again.json()["token"])
    assert other is not None and other.session_id != session.session_id


def test_a_page_on_another_origin_gets_no_session(web: Web) -> None:
    for method in ("POST", "OPTIONS"):
        evil = {"Origin": "http://evil.example"}
        answer = requests.request(method, f"{web.url}/widget/session", headers=evil, timeout=5)
        assert answer.status_code == 403
        assert "Access-Control-Allow-Origin" not in answer.headers


def test_health_says_whether_rasa_answers(web: Web) -> None:
    assert requests.get(f"{web.url}/healthz", timeout=5).json() == {
        "status": "ok",
        "rasa": "down",
    }
    rasa = http.server.ThreadingHTTPServer(("127.0.0.1", web.rasa_port), RasaRoot)
    threading.Thread(target=rasa.serve_forever, daemon=True).start()
    try:
        assert requests.get(f"{web.url}/healthz", timeout=5).json()["rasa"] == "up"
    finally:
        rasa.shutdown()
        rasa.server_close()


def test_the_widget_script_is_served_for_any_store_to_embed(web: Web) -> None:
    built = ROOT / "bot" / "web" / "static" / "wismo-widget.js"
    assert built.is_file(), "`make widget` builds it (make test does)"
    answer = requests.get(f"{web.url}/widget/wismo-widget.js", timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/javascript")
    assert answer.content == Path(built).read_bytes()
