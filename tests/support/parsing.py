"""Messages parsed by the trained model, in the Rasa environment (one process for all)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.support.stack import MODEL, RASA, ROOT

PARSE = """
import asyncio, json, sys
from rasa.core.agent import Agent

agent = Agent.load(sys.argv[1])

async def main():
    parsed = []
    for text in json.loads(sys.stdin.read()):
        result = await agent.parse_message(text)
        parsed.append({
            "intent": result["intent"]["name"],
            "confidence": result["intent"]["confidence"],
            "entities": [[e["entity"], e["value"]] for e in result["entities"]],
        })
    print("PARSED " + json.dumps(parsed))

asyncio.run(main())
"""


def parse(texts: list[str]) -> dict[str, dict[str, object]]:
    """Each text's intent, its confidence and its entities, as the trained model reads them."""
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test`, which trains it")
    done = subprocess.run(
        [str(RASA.parent / "python"), "-c", PARSE, str(MODEL)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"},
        timeout=300,
        check=False,
    )
    line = next((s for s in done.stdout.splitlines() if s.startswith("PARSED ")), None)
    assert line, done.stderr[-3000:]
    return dict(zip(texts, json.loads(line.removeprefix("PARSED ")), strict=True))
