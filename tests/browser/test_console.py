"""The agent console in headless Chromium: a person on the team takes a shopper's chat.

A shopper on the demo store's widget (one browser context) and people on the team in
the console (a context each), against the whole stack with the trained model. The
console's pages refresh themselves: nothing here reloads the agent's page to see
what the shopper did. Console sessions run on real time (the stack fixes only the
store's clock).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import ROOT, Visitor, visit
from tests.browser.test_widget import (
    ANSWER_TIMEOUT,
    HOSTILE,
    ask_about_the_demo_order,
    bot_messages,
    open_chat,
    send,
    wait_for_bot,
    wait_until_idle,
)
from tests.support.chat import Chat
from tests.support.stack import Stack, free_port, serving

pytestmark = pytest.mark.browser

SCREENSHOT = ROOT / "docs" / "images" / "console-demo.png"
DESK = {"width": 1280, "height": 800}
ANA, ANA_PASSWORD = "ana", "woodland-agent-demo"  # the demo's agent and lead
LEE, LEE_PASSWORD = "lee", "woodland-lead-demo"
BEN, BEN_PASSWORD = "ben", "ben-agent-password-for-tests"
REFERENCE = re.compile(r"\bHD-[A-Z0-9]{6}\b")
REFRESH_TIMEOUT = 15_000  # ms: the queue refreshes every 3 s, the transcript every 1.5 s
QUIET_MS = 4_000  # long enough for the assistant to answer, were it to answer
CSRF_REFUSED = "This form expired or came from another site."


def log_in(browser: Browser, web: str, username: str, password: str) -> Visitor:
    """A person on the team, logged in from the login page, on the queue."""
    agent = visit(browser, f"{web}/console", viewport=DESK)
    page = agent.page
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Waiting for a person")).to_be_visible()
    return agent


def take_button(page: Page, reference: str) -> Locator:
    return page.get_by_role("button", name=f"Take {reference}")


def transcript_line(page: Page, speaker: str, text: str) -> Locator:
    return page.locator(f"#transcript .line.{speaker}").filter(has_text=text)


def reference_in(text: str) -> str:
    found = REFERENCE.search(text)
    assert found, text
    return found[0]


def rest_shopper_asking_for_a_person(stack: Stack) -> tuple[Chat, str]:
    """A shopper (over the REST channel: no browser needed) with a ticket in the queue."""
    chat = Chat(stack.rest_url)
    return chat, reference_in(chat.say("talk to a person"))


def mark_page(page: Page) -> None:
    """Mark the document, to tell later that the page was never reloaded."""
    page.evaluate("() => { window.__sameDocument = true; }")


def not_reloaded(page: Page) -> bool:
    return bool(page.evaluate("() => window.__sameDocument === true"))


@pytest.fixture
def shopper(browser: Browser, store: str) -> Iterator[Visitor]:
    opened = visit(browser, store)
    yield opened
    opened.context.close()


@pytest.fixture
def ana(browser: Browser, store: str) -> Iterator[Visitor]:
    agent = log_in(browser, store, ANA, ANA_PASSWORD)
    yield agent
    agent.context.close()


@pytest.fixture(scope="module")
def ben(stack: Stack, store: str) -> tuple[str, str]:
    """A second agent, added as a store adds its people."""
    wismo = ROOT / ".venv" / "bin" / "wismo"
    subprocess.run(
        [str(wismo), "user", "add", BEN, "--name", "Ben", "--role", "agent", "--password-stdin"],
        input=f"{BEN_PASSWORD}\n",
        text=True,
        env=stack.env,
        check=True,
    )
    return BEN, BEN_PASSWORD


def test_an_agent_takes_the_chat_talks_with_the_shopper_and_hands_back_to_the_assistant(
    shopper: Visitor, ana: Visitor, artifacts: Path
) -> None:
    console, page = ana.page, shopper.page
    mark_page(console)
    open_chat(page)
    ask_about_the_demo_order(page)
    send(page, "I'd like to talk to a person")
    reference = reference_in(wait_for_bot(page, "passed you to our team").inner_text())

    # The queue shows the new ticket by itself, with its packet; Ana takes it.
    waiting = console.locator(f'#queue .ticket[data-reference="{reference}"]')
    expect(waiting).to_be_visible(timeout=REFRESH_TIMEOUT)
    assert not_reloaded(console)
    expect(waiting.locator(".trigger")).to_have_text("asked")
    expect(waiting.locator(".parcel")).to_contain_text("1Z999AA10123456784: in transit")
    take_button(console, reference).click()
    expect(console.get_by_role("heading", name=reference)).to_be_visible()
    expect(console.locator("#state")).to_have_text("taken · ana")

    # The shopper hears who joined; the assistant steps aside.
    wait_for_bot(page, f"Ana from our team has joined the conversation (reference {reference})")
    wait_until_idle(page)

    # The shopper's words appear on Ana's page as they come; the assistant says nothing.
    mark_page(console)
    answered = bot_messages(page).count()
    send(page, "where is my order? it's a birthday present")
    line = transcript_line(console, "shopper", "where is my order? it's a birthday present")
    expect(line).to_have_count(1, timeout=REFRESH_TIMEOUT)
    assert not_reloaded(console)
    wait_until_idle(page)
    page.wait_for_timeout(QUIET_MS)
    expect(bot_messages(page)).to_have_count(answered)

    # Ana's reply reaches the widget as hers, and stays in her transcript as hers.
    console.get_by_label("Reply to the shopper").fill(
        "Hi, I'm Ana. It's with UPS and due tomorrow: I'll keep an eye on it for you."
    )
    console.get_by_role("button", name="Send").click()
    wait_for_bot(page, "Ana: Hi, I'm Ana. It's with UPS and due tomorrow")
    mine = transcript_line(console, "agent", "It's with UPS and due tomorrow")
    expect(mine).to_have_count(1, timeout=REFRESH_TIMEOUT)
    expect(mine.locator(".speaker")).to_have_text("Ana")
    expect(console.get_by_label("Reply to the shopper")).to_have_value("")
    send(page, "Thank you so much!")
    expect(transcript_line(console, "shopper", "Thank you so much!")).to_have_count(
        1, timeout=REFRESH_TIMEOUT
    )
    assert not_reloaded(console)
    expect(transcript_line(console, "shopper", "Thank you so much!")).to_be_in_viewport()
    # The README's picture: the packet above, the conversation with its latest lines.
    console.locator("#transcript").evaluate("el => el.scrollIntoView({block: 'end'})")
    shot = console.screenshot()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.write_bytes(shot)
    shutil.copyfile(SCREENSHOT, artifacts / "console-ticket.png")

    # Handed back: the assistant greets the shopper with the order it knows, and answers.
    console.get_by_role("button", name="Hand back to the assistant").click()
    expect(console.get_by_role("status")).to_have_text(f"{reference} handed back to the assistant.")
    wait_for_bot(page, "Ana has handed you back to me. I still have order WM-104233 at hand")
    wait_until_idle(page)
    answered = bot_messages(page).count()
    send(page, "when will it arrive?")
    wait_until_idle(page)
    expect(bot_messages(page).nth(answered)).to_be_visible(timeout=ANSWER_TIMEOUT)
    assert not bot_messages(page).nth(answered).inner_text().startswith("Ana:")
    page.screenshot(path=str(artifacts / "console-shopper-widget.png"))
    assert shopper.errors == [] and ana.errors == [] and ana.dialogs == []


def test_a_second_agent_cannot_take_a_conversation_someone_already_has(
    browser: Browser, stack: Stack, store: str, ana: Visitor, ben: tuple[str, str]
) -> None:
    _, reference = rest_shopper_asking_for_a_person(stack)
    other = log_in(browser, store, *ben)
    try:
        other.page.goto(f"{store}/console/tickets/{reference}")
        expect(take_button(other.page, reference)).to_be_visible()
        take_button(ana.page, reference).click()
        expect(ana.page.locator("#state")).to_have_text("taken · ana")
        with other.page.expect_response(lambda r: r.url.endswith("/take")) as answer:
            take_button(other.page, reference).click()
        assert answer.value.status == 409
        expect(other.page.get_by_role("alert")).to_have_text("Ana has this conversation.")
        other.page.goto(f"{store}/console/tickets/{reference}")
        expect(other.page.get_by_label("Reply to the shopper")).to_have_count(0)
    finally:
        other.context.close()


def test_a_console_session_left_unused_ends_and_the_next_page_asks_to_log_in_again(
    browser: Browser, stack: Stack, tmp_path: Path
) -> None:
    """A second web process on the same store, whose sessions end after 3 s unused."""
    port = free_port()
    web = f"http://127.0.0.1:{port}"
    env = {
        **stack.env,
        "WEB_PORT": str(port),
        "RASA_URL": stack.base_url,
        "CONSOLE_IDLE_MINUTES": "0.05",
        "WISMO_ALLOWED_ORIGINS": f"{stack.env['WISMO_ALLOWED_ORIGINS']},{web}",
    }
    wismo = str(ROOT / ".venv" / "bin" / "wismo")
    with serving([wismo, "web"], env, f"{web}/healthz", tmp_path / "web.log"):
        agent = log_in(browser, web, ANA, ANA_PASSWORD)
        try:
            page = agent.page
            page.goto("about:blank")  # the agent walks away from the console
            page.wait_for_timeout(4_000)
            page.goto(f"{web}/console")
            expect(page).to_have_url(re.compile(r"/console/login\?"))
            expect(page.get_by_role("status")).to_have_text(
                "Your session ended. Please log in again."
            )
            expect(page.get_by_label("Password")).to_be_visible()
        finally:
            agent.context.close()


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    stack: Stack, store: str, ana: Visitor
) -> None:
    _, reference = rest_shopper_asking_for_a_person(stack)
    page = ana.page
    button = take_button(page, reference)
    expect(button).to_be_visible(timeout=REFRESH_TIMEOUT)
    button.evaluate("b => b.form.querySelector('input[name=csrf]').remove()")
    with page.expect_response(lambda r: r.url.endswith("/take")) as answer:
        button.click()
    assert answer.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text(CSRF_REFUSED)
    page.goto(f"{store}/console")
    expect(take_button(page, reference)).to_be_visible()  # still waiting, nobody has it


def test_the_team_page_is_for_leads_only(browser: Browser, store: str, ana: Visitor) -> None:
    expect(ana.page.get_by_role("link", name="Team")).to_have_count(0)
    answer = ana.page.goto(f"{store}/console/team")
    assert answer is not None and answer.status == 403
    expect(ana.page.get_by_role("alert")).to_have_text("This page is for support leads.")
    lead = log_in(browser, store, LEE, LEE_PASSWORD)
    try:
        lead.page.get_by_role("link", name="Team").click()
        expect(
            lead.page.get_by_role("heading", name="Hand-offs of the last 7 days")
        ).to_be_visible()
        asked = lead.page.locator(".tally tbody tr").filter(has_text="asked")
        expect(asked).to_have_count(1)
    finally:
        lead.context.close()


def test_a_shoppers_markup_shows_as_text_in_the_agents_transcript(
    stack: Stack, store: str, ana: Visitor
) -> None:
    chat, reference = rest_shopper_asking_for_a_person(stack)
    page = ana.page
    expect(take_button(page, reference)).to_be_visible(timeout=REFRESH_TIMEOUT)
    take_button(page, reference).click()
    expect(page.locator("#state")).to_have_text("taken · ana")
    hostile = f"{HOSTILE} <script>alert(2)</script> <b>bold</b>"
    assert chat.say(hostile) == ""  # Ana has the conversation: the assistant says nothing
    line = transcript_line(page, "shopper", hostile)
    expect(line).to_have_count(1, timeout=REFRESH_TIMEOUT)
    expect(line.locator(".text")).to_have_text(hostile)
    assert page.locator("#transcript img, #transcript script, #transcript b").count() == 0
    # And as the page first draws it, not only as the script adds it.
    page.reload()
    expect(transcript_line(page, "shopper", hostile).locator(".text")).to_have_text(hostile)
    assert page.locator("#transcript img, #transcript script, #transcript b").count() == 0
    page.wait_for_timeout(500)  # an onerror handler would have fired by now
    assert ana.dialogs == [] and ana.errors == []


def test_each_line_shows_once_even_when_the_transcript_answers_slowly(
    stack: Stack, store: str, ana: Visitor
) -> None:
    """The page's own refresh and the one after Send never both add the same lines."""
    _, reference = rest_shopper_asking_for_a_person(stack)
    page = ana.page
    take_button(page, reference).click()
    expect(page.locator("#state")).to_have_text("taken · ana")

    # A busy server: each transcript answer takes 1.2 s to come, so the page's next
    # refresh (every 1.5 s) is often asked for while the one after Send is on its way.
    page.evaluate(
        """() => {
            const fetchNow = window.fetch;
            window.fetch = async (...args) => {
                const answer = await fetchNow(...args);
                if (String(args[0]).includes("/lines.json")) {
                    await new Promise((done) => setTimeout(done, 1200));
                }
                return answer;
            };
        }"""
    )
    for text in ("One moment please.", "Found it: it's with UPS."):
        page.get_by_label("Reply to the shopper").fill(text)
        page.get_by_role("button", name="Send").click()
        expect(transcript_line(page, "agent", text)).to_have_count(1, timeout=REFRESH_TIMEOUT)
    page.wait_for_timeout(5_000)
    texts = page.locator("#transcript .line.agent .text").all_inner_texts()
    assert texts == ["One moment please.", "Found it: it's with UPS."]
