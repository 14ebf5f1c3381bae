"""Messages parsed by the trained model, in the Rasa environment (one process for all)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

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
            "topic": result["intent"].get("full_retrieval_intent_name"),
            "entities": [[e["entity"], e["value"]] for e in result["entities"]],
            "ranking": [[r["name"], r["confidence"]] for r in result.get("intent_ranking", [])],
        })
    print("PARSED " + json.dumps(parsed))

asyncio.run(main())
"""


def parse(texts: list[str]) -> dict[str, dict[str, Any]]:
    """Each text's intent, its confidence and its entities, as the trained model reads them."""
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test`, which trains it")
    return parse_with(MODEL, texts)


def parse_with(model: Path, texts: list[str]) -> dict[str, dict[str, Any]]:
    """Each text's intent, confidence, entities and intent ranking, as `model` reads them."""
    done = subprocess.run(
        [str(RASA.parent / "python"), "-c", PARSE, str(model)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"},
        timeout=300,
        check=False,
    )
    line = next((s for s in done.stdout.splitlines() if s.startswith("PARSED ")), None)
    if line is None:
        raise RuntimeError(f"parsing with {model} failed:\n{done.stderr[-3000:]}")
    return dict(zip(texts, json.loads(line.removeprefix("PARSED ")), strict=True))
