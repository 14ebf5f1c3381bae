"""The baseline: a stock `rasa init` bot, and the cost of training from scratch."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.stack import RASA, ROOT


def stock_bot(directory: Path) -> tuple[Path, float | None]:
    """The stock bot's trained model, made by `rasa init` once; seconds it took, if now."""
    models = directory / "models"
    found = sorted(models.glob("*.tar.gz")) if models.exists() else []
    if found:
        return found[-1], None
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)  # `rasa init` wants the folder to exist
    started = time.monotonic()
    subprocess.run(
        [str(RASA), "init", "--no-prompt", "--init-dir", str(directory.resolve())],
        cwd=directory.parent,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - started
    return sorted(models.glob("*.tar.gz"))[-1], seconds


def train_seconds(project: Path = ROOT) -> float:
    """`rasa train` from scratch (no cache), into a throwaway directory."""
    with tempfile.TemporaryDirectory(prefix="wismo-train-") as out:
        started = time.monotonic()
        subprocess.run(
            [str(RASA), "train", "--force", "--quiet", "--out", out],
            cwd=project,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_no_cache(out),
        )
        return time.monotonic() - started


def _no_cache(out: str) -> dict[str, str]:
    # Rasa keeps trained components in a cache; a fresh one means "from scratch".
    return {**os.environ, "RASA_CACHE_DIRECTORY": str(Path(out) / "cache")}
