"""The launcher (bot/rasa_server/launch.py) starts Rasa closed: no open API, small bodies."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.channels import identity
from bot.rasa_server import launch
from tests.support.stack import ROOT


@pytest.mark.parametrize(
    "flags", [["--enable-api"], ["--enable-api", "--auth-token="], ["--enable"]]
)
def test_the_launcher_refuses_an_api_without_a_token(flags: list[str]) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.rasa_server.launch",
            "run",
            "--model",
            "nowhere.tar.gz",
            *flags,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "WISMO_SECRET": "s"},
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "--auth-token or --jwt-secret" in done.stderr


def test_the_launcher_lets_an_api_with_a_token_start() -> None:
    assert launch.open_api_refusal(["run", "--enable-api"])
    for flags in (["--auth-token", "t"], ["-t", "t"], ["--jwt-secret=k"], []):
        api = ["--enable-api"] if flags else []
        assert launch.open_api_refusal(["run", *api, *flags]) is None, flags


def test_a_request_body_is_at_most_1_mb_with_the_api_on_or_off() -> None:
    # Sanic reads a body before the API checks its token: a stranger's 100 MB would be read.
    assert launch.body_limit(["run", "--port", "5005"]) == {"SANIC_REQUEST_MAX_SIZE": "1000000"}
    assert launch.body_limit(["run", "--enable-api", "-t", "x"]) == {
        "SANIC_REQUEST_MAX_SIZE": "1000000"
    }


def test_the_api_token_can_come_from_the_deployments_secret() -> None:
    argv = launch.with_derived_token(["run", "--enable-api", "--auth-token-from-secret"], b"s")
    assert argv == ["run", "--enable-api", "--auth-token", identity.rasa_api_token(b"s")]
    assert launch.open_api_refusal(argv) is None
    assert identity.rasa_api_token(b"s") != identity.rasa_api_token(b"t")
    given = launch.with_derived_token(["run", "--auth-token-from-secret"], b"s", "mine")
    assert given == ["run", "--auth-token", "mine"]


class Called:
    def __init__(self) -> None:
        self.times = 0

    def __call__(self) -> None:
        self.times += 1


def test_a_refused_start_touches_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    installed, started = Called(), Called()
    monkeypatch.setattr(launch.patches, "install", installed)
    monkeypatch.setattr(launch, "rasa_main", started)
    monkeypatch.delenv(launch.ACTION_TOKEN_ENV, raising=False)
    assert launch.main(["run", "--enable-api"]) == 2
    assert "--auth-token or --jwt-secret" in capsys.readouterr().err
    assert (installed.times, started.times) == (0, 0)
    assert launch.ACTION_TOKEN_ENV not in os.environ


def test_a_start_masks_logs_sets_the_action_token_and_the_body_limit_and_patches_rasa(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redacting, installed, started = Called(), Called(), Called()
    monkeypatch.setattr(launch.redaction, "install", redacting)
    monkeypatch.setattr(launch.patches, "install", installed)
    monkeypatch.setattr(launch, "rasa_main", started)
    monkeypatch.setenv("WISMO_SECRET", "the-secret")
    monkeypatch.delenv(launch.ACTION_TOKEN_ENV, raising=False)
    monkeypatch.delenv("SANIC_REQUEST_MAX_SIZE", raising=False)
    assert launch.main(["run", "--port", "5005"]) == 0
    assert (redacting.times, installed.times, started.times) == (1, 1, 1)
    assert os.environ[launch.ACTION_TOKEN_ENV] == identity.action_token(b"the-secret")
    assert os.environ["SANIC_REQUEST_MAX_SIZE"] == str(launch.MAX_BODY_BYTES)
