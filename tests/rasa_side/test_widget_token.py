"""The widget's session token (bot/channels/widget_token.py) is a standard JWT.

Checked here, in the Rasa environment, against PyJWT (which Rasa pins): any JWT
library verifies what the web process issues, and nothing but HS256 under the
deployment's derived key passes `check`.
"""

from __future__ import annotations

import secrets

import jwt

from bot.channels import widget_token


def test_the_session_token_is_a_standard_jwt() -> None:
    secret = secrets.token_bytes(32)
    token, session = widget_token.issue(secret, lifetime=600)
    claims = jwt.decode(
        token, widget_token.key(secret), algorithms=["HS256"], audience=widget_token.AUDIENCE
    )
    assert claims["sub"] == session.session_id and claims["exp"] == session.expires_at
    assert widget_token.check(secret, token) == session
    # PyJWT's own token for the same claims is accepted; one with alg "none" is not.
    assert widget_token.check(
        secret, jwt.encode(claims, widget_token.key(secret), algorithm="HS256")
    ) == session
    unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    assert widget_token.check(secret, unsigned) is None
