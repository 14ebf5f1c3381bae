"""What the pretrained sentence encoder costs: memory, and time per message.

Run in the Rasa environment, where the encoder lives (bot/nlu/minilm.py): the
resident memory before and after its weights load, and the time to encode each
held-out message on its own, as the Rasa server does at each turn (no batch,
no cache). `make bench` reports these beside the whole turn's figures, which
include it.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from tests.nlu.test_heldout import HELDOUT, STYLES, nlu_messages
from tests.support.stack import RASA, ROOT

MEASURE = """
import json, statistics, sys, time
from pathlib import Path

def rss_mib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

import numpy  # loaded by Rasa anyway: not the encoder's cost
before = rss_mib()
from bot.nlu.minilm import SentenceEncoder, model_dir
started = time.perf_counter()
encoder = SentenceEncoder(model_dir())
load_s = time.perf_counter() - started
after = rss_mib()
texts = json.loads(sys.stdin.read())
encoder.encode(texts[:5])  # warm up
times = []
for text in texts:
    started = time.perf_counter()
    encoder.encode([text])
    times.append((time.perf_counter() - started) * 1000)
times.sort()
print("ENCODER " + json.dumps({
    "messages": len(times),
    "load_s": round(load_s, 2),
    "rss_added_mib": round(after - before, 1),
    "ms_per_message_median": round(statistics.median(times), 2),
    "ms_per_message_p95": round(times[int(0.95 * (len(times) - 1))], 2),
}))
"""


def measure() -> dict[str, Any]:
    """The encoder's load time, added memory and per-message time on the held-out messages."""
    texts = [m.text for path in (HELDOUT, STYLES) for m in nlu_messages(path)]
    done = subprocess.run(
        [str(RASA.parent / "python"), "-c", MEASURE],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
        check=False,
    )
    line = next((s for s in done.stdout.splitlines() if s.startswith("ENCODER ")), None)
    if line is None:
        raise RuntimeError(f"measuring the encoder failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(line.removeprefix("ENCODER "))
    return figures
