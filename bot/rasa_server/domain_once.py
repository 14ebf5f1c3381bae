"""The domain goes to the action server once, not with every action call.

Rasa 3.6 puts the whole domain (52 kB of JSON here: every response in every channel's
wording) into each call to the action server, beside the tracker (7 to 30 kB): three
quarters of the bytes of a call. Writing the calls' JSON was a tenth of the Rasa
server's time per turn at saturation, and the action server reads it all again. The
action server's SDK (rasa-sdk 3.21) keeps the last domain it was sent with its
`domain_digest`, and a call that carries only the digest of the domain it holds runs
with that domain; a call whose digest it does not hold, and no domain, is answered 449.

Here each call carries the digest of the loaded domain, and the domain itself only until
that action server has had it: the first call, the first after a new model is loaded
(a new domain, a new digest), and the call after a 449 (the action server restarted, or
another replica answered), which is then made again with the domain. Nothing else in
the call changes, and an action runs with the same domain as before.

Rasa side: Rasa, aiohttp and the standard library.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError

logger = logging.getLogger(__name__)

DOMAIN = "domain"
DOMAIN_DIGEST = "domain_digest"
MISSING_DOMAIN = 449  # rasa-sdk: "a digest I do not hold, and no domain"
_DIGEST_ATTRIBUTE = "_wismo_domain_digest"

_action_call_format = RemoteAction._action_call_format
_remote_run = RemoteAction.run
# The digest each action server (by URL) was last sent the domain of.
_sent: dict[str, str] = {}


def domain_digest(domain: Domain) -> str:
    """The digest of a domain as the action server receives it; kept on the domain."""
    found: str | None = getattr(domain, _DIGEST_ATTRIBUTE, None)
    if found is None:
        text = json.dumps(domain.as_dict(), sort_keys=True, default=str)
        found = hashlib.sha256(text.encode()).hexdigest()
        setattr(domain, _DIGEST_ATTRIBUTE, found)
    return found


def action_call_format(self: RemoteAction, tracker: Any, domain: Domain) -> dict[str, Any]:
    """Rasa's action call, with the domain's digest, and the domain only where needed."""
    call: dict[str, Any] = _action_call_format(self, tracker, domain)
    if DOMAIN not in call or self.action_endpoint is None:
        return call  # a selective domain: Rasa left it out itself
    digest = domain_digest(domain)
    call[DOMAIN_DIGEST] = digest
    url = str(self.action_endpoint.url)
    if _sent.get(url) == digest:
        del call[DOMAIN]
    else:
        _sent[url] = digest
    return call


async def remote_run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
    """RemoteAction.run; made again with the domain when the action server lacks it."""
    try:
        return await _remote_run(self, *args, **kwargs)
    except RasaException as error:
        cause = error.__cause__
        if not (isinstance(cause, ClientResponseError) and cause.status == MISSING_DOMAIN):
            raise
        if self.action_endpoint is not None:
            _sent.pop(str(self.action_endpoint.url), None)
        logger.info("The action server lacked the domain; sent again with it.")
        return await _remote_run(self, *args, **kwargs)


def install() -> None:
    """Send the domain once per action server and model, not with every call."""
    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
    RemoteAction.run = remote_run  # type: ignore[method-assign]
