"""When WhatsApp shoppers last wrote, on disk (bot/channels/whatsapp_window.py)."""

from __future__ import annotations

import time
from pathlib import Path

from bot.channels.whatsapp_cloud import Memory
from bot.channels.whatsapp_window import WindowLedger

SECRET = b"whatsapp-window-test-secret"


def test_a_new_process_knows_who_wrote_within_the_window_and_who_did_not(tmp_path: Path) -> None:
    path = str(tmp_path / "window.db")
    before = Memory(ledger=WindowLedger(path, SECRET))
    before.wrote("15550001111")
    before.wrote("15550002222", time.time() - 25 * 3600)
    after = Memory(ledger=WindowLedger(path, SECRET))  # a restart: nothing in memory
    assert after.in_window("15550001111")
    assert not after.in_window("15550002222")  # wrote more than 24 hours ago
    assert not after.in_window("15550003333")  # never wrote


def test_a_late_delivery_of_an_older_message_does_not_move_the_time_back(tmp_path: Path) -> None:
    ledger = WindowLedger(str(tmp_path / "window.db"), SECRET)
    ledger.wrote("15550001111", 2_000.0)
    ledger.wrote("15550001111", 1_000.0)
    assert ledger.wrote_at("15550001111") == 2_000.0


def test_another_deployments_secret_reads_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "window.db")
    WindowLedger(path, SECRET).wrote("15550001111", time.time())
    assert WindowLedger(path, b"another-secret").wrote_at("15550001111") is None


def test_a_file_that_cannot_be_made_leaves_the_window_closed_and_raises_nothing(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    memory = Memory(ledger=WindowLedger(str(blocker / "window.db"), SECRET))
    memory.wrote("15550001111")  # kept in memory, not on disk
    assert memory.in_window("15550001111")
    assert not Memory(ledger=WindowLedger(str(blocker / "window.db"), SECRET)).in_window(
        "15550001111"
    )
