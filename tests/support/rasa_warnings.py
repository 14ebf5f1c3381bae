"""`make validate`: every warning of `rasa data validate` fails, except two that are not ours.

- Rasa 3.6 merges each retrieval intent of the NLU data into the domain and then
  reports it as a duplicate of the domain's own entry (`faq`, `out_of_scope`).
- Rasa's validator counts a response as used only when a rule or story runs it as an
  action. Responses a custom action sends by name (`utter_message(response=...)`)
  never are, and it warns about each (Rasa issue 4200). The warning is excused only
  for a response the actions can send (tests/support/responses.py), or for a
  retrieval intent's group (`utter_out_of_scope`) whose responses they send; every other
  unused response still fails, and tests/unit/test_responses.py checks that each
  response is sent by a rule or an action.
- Two intents are never read from text, so the NLU data has no examples of them:
  `sms_keyword` (the Twilio channel sends it for STOP, START and HELP) and
  `EXTERNAL_notice` (the notifier triggers it through Rasa's HTTP API).

    python -m tests.support.rasa_warnings var/validate.log
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from tests.support.responses import sendable

RETRIEVAL_INTENTS = frozenset({"faq", "out_of_scope"})
DUPLICATE = re.compile(r"duplicated intents have been found across multiple domain files: (.+)$")
UNUSED = re.compile(r"The utterance '([^']+)' is not used in any story or rule\.")
WARNING = re.compile(r"UserWarning|WARNING")
NOT_FROM_TEXT = frozenset({"sms_keyword", "EXTERNAL_notice", "EXTERNAL_console", "handoff_contact"})
NO_EXAMPLES = re.compile(
    r"The intent '([^']+)' is listed in the domain file, but is not found in the NLU"
)


def unexplained(log: Iterable[str], sent_by_actions: set[str]) -> list[str]:
    """The warning lines of a validation log that are about our data."""
    found = []
    for line in log:
        if not WARNING.search(line) or _only_retrieval_duplicates(line):
            continue
        no_examples = NO_EXAMPLES.search(line)
        if no_examples and no_examples.group(1) in NOT_FROM_TEXT:
            continue
        unused = UNUSED.search(line)
        if unused and _sent(unused.group(1), sent_by_actions):
            continue
        found.append(line.rstrip())
    return found


def _only_retrieval_duplicates(line: str) -> bool:
    found = DUPLICATE.search(line.rstrip())
    return bool(found) and {n.strip() for n in found.group(1).split(",")} <= RETRIEVAL_INTENTS


def _sent(response: str, sent_by_actions: set[str]) -> bool:
    return response in sent_by_actions or any(
        name.startswith(response + "/") for name in sent_by_actions
    )


def main(argv: Sequence[str]) -> int:
    """Print the warnings that are ours; exit 1 when there is one."""
    log = Path(argv[0]).read_text(encoding="utf-8", errors="replace").splitlines()
    found = unexplained(log, sendable())
    for line in found:
        print(line)
    if found:
        print("rasa data validate warned (above)")
        return 1
    print("rasa data validate: no warnings about our data")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
