"""The agents' pages: the queue, a conversation, and what a person does with it.

    GET  /console                               the queue (oldest first) and yours
    GET  /console/queue.json                    the same, for the page to refresh itself
    GET  /console/tickets/<ref>                 the packet, the transcript, the reply box
    GET  /console/tickets/<ref>/lines.json      the transcript (the page polls it)
    POST /console/tickets/<ref>/take            take it: the shopper hears a person joined
    POST /console/tickets/<ref>/reply           words to the shopper, on their channel
    POST /console/tickets/<ref>/handback        back to the assistant
    POST /console/tickets/<ref>/close           resolved

Errors are answered as pages (or JSON for the page's script): a ticket someone else has
is 409 and says who; a Rasa that does not answer is 503 and says what did not happen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from flask import Blueprint, Response, g, jsonify, redirect, request, url_for

from bot.domain.errors import MessagingUnavailable, StoreUnavailable
from bot.domain.tickets import Line, Ticket
from bot.services.console import TicketUnavailable
from bot.web.console import page, secure, services, signed_in
from bot.web.labels import channel_label, proof_label

blueprint = Blueprint("agents", __name__, url_prefix="/console")
blueprint.after_request(secure)  # every answer, JSON and redirects too

DONE = {
    "handed_back": "handed back to the assistant",
    "closed": "closed",
}
UNAVAILABLE = {
    "unknown": "There is no ticket with that reference.",
    "closed": "This ticket is closed.",
    "open": "This ticket is waiting in the queue: take it first.",
    "empty": "Write something to send.",
    "too_long": "That is too long for one message: split it in two.",
}
RASA_DOWN = (
    "The assistant's server did not answer, so nothing reached the shopper. Try again in a moment."
)


@blueprint.get("")
@signed_in()
def queue() -> Response:
    """The queue, oldest first, with each packet; and the conversations you have."""
    console = services()[1]
    done = DONE.get(request.args.get("done", ""))
    return page(
        "queue.html",
        waiting=[ticket_json(t) for t in console.queue()],
        mine=[ticket_json(t) for t in console.mine(g.account)],
        done=done,
        reference=request.args.get("ref", "")[:16],
    )


@blueprint.get("/queue.json")
@signed_in()
def queue_json() -> Response:
    """The queue and your conversations, for the page's refresh."""
    console = services()[1]
    body = {
        "waiting": [ticket_json(t) for t in console.queue()],
        "mine": [ticket_json(t) for t in console.mine(g.account)],
    }
    return secure(jsonify(body))


@blueprint.get("/tickets/<reference>")
@signed_in()
def ticket(reference: str) -> Response:
    """One ticket: its packet, the conversation so far, and what you may do with it."""
    console = services()[1]
    try:
        found = console.ticket(reference)
    except TicketUnavailable:
        return page("message.html", 404, text=UNAVAILABLE["unknown"])
    try:
        lines, transcript_error = [line_json(x) for x in console.transcript(found)], None
    except MessagingUnavailable:
        lines, transcript_error = [], RASA_DOWN
    return page(
        "ticket.html",
        ticket=ticket_json(found),
        lines=lines,
        transcript_error=transcript_error,
        mine=found.agent == g.account.username and found.state.value == "taken",
        error=UNAVAILABLE.get(request.args.get("error", "")),
    )


@blueprint.get("/tickets/<reference>/lines.json")
@signed_in()
def lines_json(reference: str) -> Response | tuple[Response, int]:
    """The conversation's lines after the first `after`, and the ticket's state."""
    console = services()[1]
    try:
        found = console.ticket(reference)
        lines = console.transcript(found)
    except TicketUnavailable:
        return jsonify({"error": UNAVAILABLE["unknown"]}), 404
    except MessagingUnavailable:
        return jsonify({"error": RASA_DOWN}), 503
    after = request.args.get("after", "0")
    start = int(after) if after.isdigit() else 0
    body = {
        "lines": [line_json(line) for line in lines[start:]],
        "count": len(lines),
        "ticket": ticket_json(found),
    }
    return secure(jsonify(body)), 200


@blueprint.post("/tickets/<reference>/take")
@signed_in()
def take(reference: str) -> Response:
    """Take a ticket from the queue; someone else's answers 409 and says whose."""
    try:
        services()[1].take(reference, g.account)
    except TicketUnavailable as refused:
        return _refused(refused)
    except (MessagingUnavailable, StoreUnavailable):
        return page("message.html", 503, text=RASA_DOWN + " The ticket is still in the queue.")
    return cast(Response, redirect(url_for("agents.ticket", reference=reference), code=303))


@blueprint.post("/tickets/<reference>/reply")
@signed_in()
def reply(reference: str) -> tuple[Response, int]:
    """Send your words to the shopper (JSON `{"text": ...}` or a form's `text`)."""
    data = request.get_json(silent=True)
    text = data.get("text") if isinstance(data, dict) else request.form.get("text")
    try:
        services()[1].reply(reference, g.account, str(text or ""))
    except TicketUnavailable as refused:
        return jsonify({"error": _reason(refused)}), 409
    except MessagingUnavailable:
        return jsonify({"error": RASA_DOWN}), 503
    return jsonify({"status": "sent"}), 200


@blueprint.post("/tickets/<reference>/handback")
@signed_in()
def hand_back(reference: str) -> Response:
    """Give the conversation back to the assistant."""
    return _end(reference, "handed_back")


@blueprint.post("/tickets/<reference>/close")
@signed_in()
def close(reference: str) -> Response:
    """Close the ticket: resolved."""
    return _end(reference, "closed")


def _end(reference: str, how: str) -> Response:
    console = services()[1]
    end = console.hand_back if how == "handed_back" else console.close
    try:
        end(reference, g.account)
    except TicketUnavailable as refused:
        return _refused(refused)
    except MessagingUnavailable:
        return page("message.html", 503, text=RASA_DOWN + " You still have the conversation.")
    return cast(Response, redirect(url_for("agents.queue", done=how, ref=reference), code=303))


def _refused(refused: TicketUnavailable) -> Response:
    status = 404 if refused.reason == "unknown" else 409
    return page("message.html", status, text=_reason(refused))


def _reason(refused: TicketUnavailable) -> str:
    if refused.reason == "taken":
        # The person's name, as the shopper hears it ("Ana"), not their login ("ana").
        username = refused.agent or ""
        name = (services()[0].name_of(username) if username else None) or username
        return f"{name or 'Someone else'} has this conversation."
    return UNAVAILABLE.get(refused.reason, "This ticket cannot be changed so.")


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    """What the console shows of a ticket: its packet holds no email, phone or street."""
    return {
        "reference": ticket.reference,
        "state": ticket.state.value,
        "trigger": ticket.trigger.value,
        "channel": ticket.channel,
        "channel_label": channel_label(ticket.channel, ticket.conversation),
        "verified": ticket.verified,
        "how": ticket.how,
        "proof_label": proof_label(ticket.how),
        "order_number": ticket.order_number,
        "packet": ticket.packet,
        "created_at": _iso(ticket.created_at),
        "taken_at": _iso(ticket.taken_at),
        "agent": ticket.agent,
        "contact": ticket.contact.value if ticket.contact else None,
        "overdue": ticket.overdue_at is not None,
        "url": url_for("agents.ticket", reference=ticket.reference),
    }


def line_json(line: Line) -> dict[str, Any]:
    """A transcript line for the page."""
    return {
        "speaker": line.speaker.value,
        "text": line.text,
        "at": _iso(line.at),
        "agent": line.agent_name,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
