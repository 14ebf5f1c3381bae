"""The fake Twilio signs webhooks as Twilio does: twilio's own RequestValidator agrees.

The fake (bot/demo/fake_twilio.py) runs in the app environment and computes the
signature with the standard library; the channel checks it with the `twilio`
library of this, the Rasa environment. Both must agree for the fake to stand
for Twilio, so the fake's signatures are computed there and checked here.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from twilio.request_validator import RequestValidator

from tests.support.stack import ROOT

APP_PYTHON = ROOT / ".venv" / "bin" / "python"
TOKEN = "12345678901234567890123456789012"  # noqa: S105 (a test's token)
URL = "https://bot.example/webhooks/twilio/webhook"
CASES = [
    {},
    {"Body": "where is my order?", "From": "+15551234567", "To": "+15550100000"},
    # Keys that prefix each other, empty values and non-ASCII text.
    {"To": "+15550100000", "ToCountry": "US", "ToCity": "", "Body": "¿Dónde está? ¡Hola! 📦"},
    {"From": "whatsapp:+15551234567", "ProfileName": "Zoë", "WaId": "15551234567", "Body": "a&b=c"},
]

FAKE = """
import json, sys
from bot.demo.fake_twilio import twilio_signature
cases = json.loads(sys.argv[1])
print(json.dumps([twilio_signature(sys.argv[2], sys.argv[3], case) for case in cases]))
"""


@pytest.fixture(scope="module")
def fake_signatures() -> list[str]:
    if not APP_PYTHON.exists():
        pytest.skip("the app environment (.venv) is not installed")
    out = subprocess.run(
        [str(APP_PYTHON), "-c", FAKE, json.dumps(CASES), TOKEN, URL],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_fakes_signature_is_the_one_twilio_computes(
    fake_signatures: list[str], case: int
) -> None:
    validator = RequestValidator(TOKEN)
    assert fake_signatures[case] == validator.compute_signature(URL, CASES[case])
    assert validator.validate(URL, CASES[case], fake_signatures[case])


def test_a_signature_for_another_url_or_token_does_not_validate(
    fake_signatures: list[str],
) -> None:
    assert not RequestValidator(TOKEN).validate(URL + "?x=1", CASES[1], fake_signatures[1])
    assert not RequestValidator("another token").validate(URL, CASES[1], fake_signatures[1])
