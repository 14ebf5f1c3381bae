"""A support lead reads a real conversation in headless Chromium: filtered, masked,
revealed, exported.

A shopper talks to the trained model over the REST channel; the event consumer (`wismo
events`, one of the stack's processes) copies the conversation into the store; the demo
lead then finds it in the console.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import text

from bot.adapters.db.conversations import SqlConversationLog
from bot.adapters.db.engine import make_engine
from tests.browser.conftest import Visitor, visit
from tests.support.chat import Chat
from tests.support.stack import Stack

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 800}
LEE, LEE_PASSWORD = "lee", "woodland-lead-demo"  # the demo's lead
ORDER, EMAIL = "WM-104233", "jane.doe@example.com"  # the demo's in-transit order, Jane Doe's
PERSONAL = ("jane.doe", "Jane", "Doe", "Terry Francois", "4155550134")
CONSUMER_TIMEOUT = 30.0  # s: the consumer polls the broker's file every 0.5 s


def answered_conversation(stack: Stack) -> Chat:
    """A shopper who asked about the demo order, proved it and was answered."""
    chat = Chat(stack.rest_url)
    assert "order number" in chat.say("where is my order?")
    assert "email address on the order" in chat.say(ORDER)
    assert "on its way with UPS" in chat.say(EMAIL)
    return chat


def key_in_the_log(stack: Stack, conversation: str) -> int:
    """The conversation's key in the lead pages, once the consumer stored its answer."""
    engine = make_engine(stack.env["DATABASE_URL"])
    log = SqlConversationLog.on(engine)
    try:

        def stored() -> bool:
            summary = log.summary(conversation)
            return summary is not None and summary.answered

        stack.wait_until(stored, CONSUMER_TIMEOUT, "the consumer copying the conversation")
        with engine.connect() as connection:
            key = connection.execute(
                text("SELECT id FROM conversations WHERE conversation = :c"), {"c": conversation}
            ).scalar_one()
        return int(key)
    finally:
        engine.dispose()


@pytest.fixture
def lee(browser: Browser, store: str) -> Iterator[Visitor]:
    lead = visit(browser, f"{store}/console", viewport=DESK, accept_downloads=True)
    page = lead.page
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.get_by_label("Username").fill(LEE)
    page.get_by_label("Password").fill(LEE_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Waiting for a person")).to_be_visible()
    yield lead
    lead.context.close()


def transcript_of(page: Page) -> str:
    return page.get_by_role("list", name="Transcript").inner_text()


def test_a_lead_finds_a_real_conversation_reads_it_masked_reveals_it_and_exports_it(
    stack: Stack, lee: Visitor, artifacts: Path
) -> None:
    chat = answered_conversation(stack)
    key = key_in_the_log(stack, chat.sender)
    page = lee.page

    # Conversations, filtered to the resolved ones about the order.
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Conversations").click()
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()
    page.get_by_label("Outcome").select_option("resolved")
    page.get_by_label("Order").fill(ORDER)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"outcome=resolved.*order=WM-104233"))
    mine = page.locator(f'a[href="/console/conversations/{key}"]')
    expect(mine).to_have_count(1)
    rows = page.locator("table.conversations tbody tr")
    for row in rows.all():  # every row the filter kept is one of those
        expect(row.locator("td.outcome")).to_have_text("resolved")
        expect(row.locator("td").nth(4)).to_contain_text(ORDER)
    listing = page.locator("table.conversations").inner_text()
    assert not [p for p in PERSONAL if p in listing]

    # The export of what is shown: the link, downloaded, masked.
    with page.expect_download() as downloading:
        page.get_by_role("link", name="CSV").click()
    exported = Path(downloading.value.path()).read_text(encoding="utf-8")
    assert not [p for p in PERSONAL if p in exported]
    lines = list(csv.DictReader(io.StringIO(exported)))
    assert len(lines) == rows.count()
    [exported_row] = [line for line in lines if line["conversation"] == chat.sender]
    assert exported_row["outcome"] == "resolved" and ORDER in exported_row["order_numbers"]
    assert exported_row["intents"].split()[0] == "order_status"

    # The transcript: masked, with what the assistant did beside the words.
    mine.click()
    expect(page.get_by_role("heading", name=re.compile("^Conversation"))).to_be_visible()
    said = page.get_by_role("list", name="Transcript")
    expect(said.locator(".line.shopper").filter(has_text="<email>")).to_have_count(1)
    expect(said.locator(".line.bot").filter(has_text="on its way with UPS")).not_to_have_count(0)
    expect(said.locator(".line.action").first).to_be_visible()
    assert not [p for p in PERSONAL if p in transcript_of(page)]
    assert "jane.doe" not in page.content()
    page.screenshot(path=str(artifacts / "leads-transcript.png"), full_page=True)

    # Revealed: the email shows, and the reveal is listed with who.
    page.get_by_role("button", name="Reveal personal data").click()
    expect(page.get_by_role("status")).to_contain_text("This reveal is recorded")
    expect(said.locator(".line.shopper").filter(has_text=EMAIL)).to_have_count(1)
    expect(page.locator(".reveals")).to_contain_text("Revealed by lee at ")

    # Trends: the week's figures, each chart drawn (an image the browser could decode).
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Trends").click()
    expect(page.get_by_role("heading", name=re.compile("^Containment"))).to_be_visible()
    charts = page.locator("section.figure img")
    expect(charts.first).to_be_visible()
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=chart.element_handle())
        assert chart.evaluate("img => img.naturalWidth") > 0, chart.get_attribute("src")
    assert not lee.errors
