"""A shopper on the demo store's page, with the widget, in a real browser.

Every test goes through the page as a person would: the launcher, the message
box, the buttons. The answers come from the trained model over Rasa's
socket.io channel; the clock of the stack is fixed (tests/support/chat.NOW).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, WebSocketRoute, expect

from bot.domain.wording import day_phrase
from tests.browser.conftest import ROOT, Visitor, visit
from tests.support.chat import NOW

pytestmark = pytest.mark.browser

AXE = ROOT / "bot" / "web" / "widget" / "node_modules" / "axe-core" / "axe.min.js"
HOSTILE = "<img src=x onerror=alert(1)>"
ANSWER_TIMEOUT = 30_000  # ms: a turn of the trained model, with the carrier asked
TODAY = datetime.fromisoformat(NOW).date()


def widget(page: Page) -> Locator:
    """The widget's host element (Playwright's CSS selectors pierce its open shadow root)."""
    return page.locator("#wismo-widget")


def open_chat(page: Page) -> None:
    launcher = widget(page).get_by_role("button", name="Chat with us")
    launcher.click()
    expect(widget(page).get_by_role("dialog")).to_be_visible()


def send(page: Page, text: str) -> None:
    box = widget(page).get_by_label("Message")
    box.fill(text)
    box.press("Enter")


def bot_messages(page: Page) -> Locator:
    return widget(page).locator(".wismo-msg-bot")


def wait_for_bot(page: Page, containing: str) -> Locator:
    message = bot_messages(page).filter(has_text=containing).last
    expect(message).to_be_visible(timeout=ANSWER_TIMEOUT)
    return message


def wait_until_idle(page: Page) -> None:
    """Until the assistant stops typing."""
    expect(widget(page).locator(".wismo-typing")).to_have_count(0, timeout=ANSWER_TIMEOUT)


def active_in_widget(page: Page) -> str:
    """What has the keyboard focus inside the widget: its tag and accessible label."""
    return str(
        page.evaluate(
            """() => {
                const el = document.querySelector('#wismo-widget').shadowRoot.activeElement;
                if (!el) return '';
                const label = el.getAttribute('aria-label') || el.labels?.[0]?.textContent
                    || el.textContent;
                return el.tagName + ':' + (label || '').trim();
            }"""
        )
    )


def ask_about_the_demo_order(page: Page) -> Locator:
    """Ask about the order the demo page suggests, prove it, and wait for its card."""
    send(page, "where is my order WM-104233?")
    wait_for_bot(page, "confirm the email address")
    send(page, "jane.doe@example.com")
    card = widget(page).locator(".wismo-card")
    expect(card).to_have_count(1, timeout=ANSWER_TIMEOUT)
    wait_until_idle(page)
    return card


def expected_day(days_from_today: int) -> str:
    day: date = TODAY + timedelta(days=days_from_today)
    return day_phrase(day, TODAY)


def test_a_shopper_asks_verifies_and_sees_the_shipment_card(visitor: Visitor) -> None:
    page = visitor.page
    open_chat(page)
    card = ask_about_the_demo_order(page)
    status = card.locator(".wismo-card-status")
    expect(status).to_have_text("On its way")
    expect(status).to_have_attribute("data-status", "in_transit")
    expect(card.locator(".wismo-card-estimate")).to_contain_text(expected_day(1))
    expect(card).to_contain_text("UPS")
    link = card.locator(".wismo-card-link")
    expect(link).to_have_attribute("href", "https://www.ups.com/track?tracknum=1Z999AA10123456784")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(card.locator(".wismo-card-events li").first).to_be_visible()
    # The sentences come too, with the same date.
    wait_for_bot(page, "Expected delivery")
    assert visitor.dialogs == [] and visitor.errors == []


def test_a_reload_keeps_the_conversation_and_another_visitor_cannot_see_it(
    browser: Browser, visitor: Visitor, store: str
) -> None:
    page = visitor.page
    open_chat(page)
    send(page, "where is my order WM-104240?")
    wait_for_bot(page, "confirm the email address")
    page.reload()
    asked = widget(page).locator(".wismo-msg-user")
    expect(asked).to_contain_text(["where is my order WM-104240?"])
    expect(bot_messages(page).filter(has_text="confirm the email address")).to_have_count(1)
    # The conversation goes on where it was: the proof answers the question asked before.
    if not widget(page).get_by_role("dialog").is_visible():
        open_chat(page)
    send(page, "noah.williams@example.com")
    expect(widget(page).locator(".wismo-card")).to_have_count(1, timeout=ANSWER_TIMEOUT)
    # A second browser, on the same page, has a conversation of its own.
    stranger = visit(browser, store)
    try:
        open_chat(stranger.page)
        expect(widget(stranger.page).locator(".wismo-msg-user")).to_have_count(0)
        expect(widget(stranger.page).locator(".wismo-card")).to_have_count(0)
        send(stranger.page, "when will it get here?")
        wait_for_bot(stranger.page, "order number")  # it knows no order of the first visitor's
        expect(widget(stranger.page).locator(".wismo-card")).to_have_count(0)
    finally:
        stranger.context.close()


def test_markup_in_a_reply_and_in_order_fields_is_shown_as_text_and_runs_nothing(
    visitor: Visitor,
) -> None:
    page = visitor.page
    open_chat(page)
    send(page, f"where is my order WM-190001? {HOSTILE}")
    wait_for_bot(page, "confirm the email address")
    send(page, "mallory.tester@example.com")
    card = widget(page).locator(".wismo-card")
    expect(card).to_have_count(1, timeout=ANSWER_TIMEOUT)
    # The city holds markup: the bot's sentence shows it as the characters it is.
    wait_for_bot(page, f"is going to {HOSTILE}, NY")
    expect(card.locator(".wismo-card-events")).to_contain_text("<img src=x onerror=alert(3)>")
    expect(card.locator(".wismo-card-events")).to_contain_text("<script>alert(4)</script>")
    expect(widget(page).locator(".wismo-msg-user").first).to_contain_text(HOSTILE)
    wait_until_idle(page)
    assert widget(page).locator("img, script:not([src])").count() == 0
    page.wait_for_timeout(500)  # an onerror handler would have fired by now
    assert visitor.dialogs == [] and visitor.errors == []


def test_keyboard_only_open_type_send_pick_a_button_and_close(visitor: Visitor) -> None:
    page = visitor.page
    page.locator("body").focus()
    for _ in range(30):  # Tab through the store's page to the launcher
        page.keyboard.press("Tab")
        if active_in_widget(page).startswith("BUTTON:Chat with us"):
            break
    else:
        pytest.fail("the launcher cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(widget(page).get_by_role("dialog")).to_be_visible()
    assert active_in_widget(page).split(":")[0] in ("TEXTAREA", "INPUT")
    page.keyboard.type("this is so frustrating")
    page.keyboard.press("Enter")
    choice = widget(page).get_by_role("button", name="Check my order")
    expect(choice).to_be_visible(timeout=ANSWER_TIMEOUT)
    for _ in range(15):
        if active_in_widget(page) == "BUTTON:Check my order":
            break
        page.keyboard.press("Shift+Tab")
    else:
        pytest.fail("the reply button cannot be reached with the keyboard")
    page.keyboard.press("Enter")
    expect(widget(page).locator(".wismo-msg-user").last).to_have_text("Check my order")
    wait_for_bot(page, "What's your order number?")
    page.keyboard.press("Escape")
    expect(widget(page).get_by_role("dialog")).to_be_hidden()
    assert active_in_widget(page).startswith("BUTTON:Chat with us")


def test_an_accessibility_check_finds_no_serious_violations(
    visitor: Visitor, artifacts: Path
) -> None:
    page = visitor.page
    open_chat(page)
    ask_about_the_demo_order(page)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    (artifacts / "axe-violations.json").write_text(json.dumps(results["violations"], indent=2))
    assert serious == [], [(v["id"], v["help"], len(v["nodes"])) for v in serious]


def test_on_a_phone_the_chat_fits_the_screen(browser: Browser, store: str, artifacts: Path) -> None:
    phone = visit(browser, store, viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.page
    try:
        open_chat(page)
        ask_about_the_demo_order(page)
        box = widget(page).get_by_role("dialog").bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(artifacts / "widget-360.png"))
    finally:
        phone.context.close()


def test_a_message_over_the_limit_is_refused_with_a_hint_before_it_is_sent(
    visitor: Visitor,
) -> None:
    page = visitor.page
    open_chat(page)
    send(page, "x" * 2001)
    hint = widget(page).get_by_role("alert")
    expect(hint).to_contain_text("too long")
    expect(hint).to_contain_text("2,000")
    expect(widget(page).locator(".wismo-msg-user")).to_have_count(0)
    expect(widget(page).get_by_label("Message")).to_have_value("x" * 2001)  # nothing lost


def test_a_dropped_connection_is_said_and_mended_by_itself(visitor: Visitor) -> None:
    """The socket drops and Rasa cannot be reached for a while: the widget says so, then
    reconnects by itself, and the conversation goes on."""
    page = visitor.page
    down = {"now": False}
    open_sockets: list[WebSocketRoute] = []

    def route(socket: WebSocketRoute) -> None:
        if down["now"]:
            socket.close()  # as if the server were gone
        else:
            socket.connect_to_server()
            open_sockets.append(socket)

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), route)
    page.reload()  # sockets are routed from the next document on
    open_chat(page)
    send(page, "hi")
    wait_for_bot(page, "order assistant")
    down["now"] = True
    for socket in open_sockets:
        socket.close()
    banner = widget(page).get_by_role("status").filter(has_text="Can't reach the assistant")
    expect(banner).to_be_visible(timeout=20_000)
    down["now"] = False
    expect(banner).to_be_hidden(timeout=30_000)
    send(page, "where is my order WM-104233?")
    wait_for_bot(page, "confirm the email address")


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_panel_moves_only_for_those_who_do_not_ask_for_reduced_motion(
    browser: Browser, store: str, motion: str
) -> None:
    someone = visit(browser, store, reduced_motion=motion)
    try:
        open_chat(someone.page)
        animation = widget(someone.page).get_by_role("dialog").evaluate(
            "panel => getComputedStyle(panel).animationName"
        )
        assert (animation == "none") == (motion == "reduce"), animation
    finally:
        someone.context.close()


def test_new_messages_land_in_a_live_log_and_a_person_is_one_visible_button_away(
    visitor: Visitor,
) -> None:
    page = visitor.page
    open_chat(page)
    log = widget(page).get_by_role("log", name="Conversation")
    expect(log).to_have_attribute("aria-live", "polite")
    widget(page).get_by_role("button", name="Talk to a person").click()
    expect(log.locator(".wismo-msg-user").last).to_have_text("Talk to a person")
    handed = log.locator(".wismo-msg-bot").filter(has_text=re.compile(r"reference HD-\w{6}"))
    expect(handed).to_have_count(1, timeout=ANSWER_TIMEOUT)
