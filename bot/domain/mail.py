"""The emails the assistant sends: subject and body (chat wording lives in domain.yml)."""

from __future__ import annotations

from datetime import timedelta


def one_time_code_mail(order_number: str, code: str, life: timedelta) -> tuple[str, str]:
    """The subject and body of a one-time code for changing an order."""
    minutes = int(life.total_seconds() // 60)
    subject = f"Your Woodland Market code for order {order_number}"
    body = (
        f"Your one-time code is {code}.\n\n"
        f"Type it in the chat to confirm it's you. It works once, for {minutes} minutes.\n"
        "If you did not ask for it, ignore this email: nothing changes without the code.\n"
    )
    return subject, body
