"""Rasa 3.6, warmed up before its first message, minus some of its waste.

`install()` puts each of these in Rasa's place; the launcher (`launch.py`)
calls it before Rasa starts.

Warm-up: a freshly loaded model answers its first minute of shoppers slowly:
TensorFlow does first-use work for each new shape of input. Stock Rasa lets
the first shoppers pay for it. Here the agent parses a spread of messages
right after the model loads, before the server starts listening, so the first
shopper meets a warm server.

Garbage collection: the loaded model is about 670,000 Python objects. Each full
collection walked all of them: 290 to 430 ms (measured with `gc.callbacks`)
during which the server answered nobody. Everything that exists once the model
is loaded and warm lives as long as the server, so it is frozen
(`gc.freeze()`): later collections look only at what came after, and took
about 1 ms.

Waste: Rasa 3.6 finds an event's class by its name (`Event.resolve_by_type`)
by listing every subclass of `Event` anew, an `inspect.isabstract` check each,
for every event it reads: each tracker retrieved from the tracker store and each
action server answer. That was 12% of the server's time per turn. The classes
do not change once Rasa is imported; here each name is looked up once.

Waste: Rasa 3.6 checks every action server answer with `jsonschema.validate`,
which first validates the (constant) schema itself against the JSON Schema
meta-schema. Profiling a form-heavy conversation showed two thirds of the
Rasa server's CPU in that meta-check. The answer is still validated against
the same schema; the validator is built once. And each event in it is checked
against the one kind its name says, not against all 23 kinds of the schema's
`oneOf` (9% of a turn): the kinds are told apart by that name, so an event
passes exactly when Rasa's check passes it; anything that fails goes through
Rasa's whole check, for Rasa's own error.

Waste: DIET reads a message's features (the word and character counts of its tokens,
every entity only its kind, and the sentence vector) and nothing else; for the same
features its answer is the same. Many turns are the same few messages once entities
are masked ("order number", "email address", "yes", "thanks"), and DIET spent a fifth
of the server's time per turn at saturation, most of it in Rasa's and TensorFlow's
Python around a small network. The intent and ranking it gave are kept for the
latest `DIET_ANSWERS` distinct feature sets, keyed by a digest of the features
themselves, and handed out as copies.

Waste: Rasa 3.6 opens a new HTTP client session, and a new connection, for
every call to the action server. Here the sessions share one pool of
keep-alive connections.

Waste: Rasa 3.6 sends the whole domain with every call to the action server; here it
goes once per action server and model (bot/rasa_server/domain_once.py).
"""

from __future__ import annotations

import asyncio
import copy
import gc
import hashlib
import logging
import time
from collections import OrderedDict
from typing import Any

import aiohttp
import jsonschema
import numpy as np
import rasa.core.run
import scipy.sparse
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.core.events import Event
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.constants import ENTITY_RECOGNITION, INTENT_CLASSIFICATION

from bot.rasa_server import domain_once

logger = logging.getLogger(__name__)

# Shapes, not meanings, matter: every length from one word to a long complaint,
# with the kinds of tokens shoppers type (numbers, emails, punctuation).
_SENTENCE = (
    "hi where is my order WM-104233 it was supposed to arrive tuesday but tracking "
    "says delivered and nothing is here my email is jane.doe@example.com zip 94107 "
    "can you check 1Z999AA10123456784 please this is taking forever i want a refund "
    "or send a new one to my address thanks"
)
WARM_UP_ROUNDS = 3


def warm_up_texts() -> list[str]:
    """Every prefix of the sample sentence: one word, two words, ... all of it."""
    words = _SENTENCE.split()
    return [" ".join(words[:length]) for length in range(1, len(words) + 1)]


async def warm_up(agent: Agent) -> None:
    """Parse each warm-up text `WARM_UP_ROUNDS` times, so TensorFlow meets every shape."""
    started = time.monotonic()
    texts = warm_up_texts()
    for _ in range(WARM_UP_ROUNDS):
        for text in texts:
            await agent.parse_message(text)
    logger.info(
        "Warmed up on %d messages in %.1f s.",
        WARM_UP_ROUNDS * len(texts),
        time.monotonic() - started,
    )


_load_agent = rasa.core.run.load_agent_on_start


async def load_and_warm_up(*args: Any, **kwargs: Any) -> Agent:
    """Rasa's `load_agent_on_start`, then a warm-up of a loaded model and a frozen heap."""
    agent: Agent = await _load_agent(*args, **kwargs)
    if agent.is_ready():
        await warm_up(agent)
    freeze_heap()
    return agent


def freeze_heap() -> None:
    """Move every object alive now out of the garbage collector's sight."""
    gc.collect()
    gc.freeze()
    logger.info(
        "Froze %d objects of the loaded server out of garbage collection.", gc.get_freeze_count()
    )


_response_schema = RemoteAction.action_response_format_spec()
_validator_class = jsonschema.validators.validator_for(_response_schema)
_response_validator = _validator_class(_response_schema)


def _event_validators(event_schema: dict[str, Any]) -> dict[str, Any]:
    """One validator per event name: the event schema with only that name's kind.

    Empty (so every answer takes Rasa's whole check) unless each kind names
    exactly one event, which is what makes the two checks agree.
    """
    kinds = event_schema["oneOf"]
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    names = [kind.get("properties", {}).get("event", {}).get("const") for kind in kinds]
    if None in names or len(set(names)) != len(names):
        return {}
    return {
        name: _validator_class({"allOf": [common, kind]})
        for name, kind in zip(names, kinds, strict=True)
    }


_by_event_name = _event_validators(_response_schema["properties"]["events"]["items"])
_answer_validator = _validator_class(
    {
        **_response_schema,
        "properties": {**_response_schema["properties"], "events": {"type": "array"}},
    }
)


def _valid_quickly(result: Any) -> bool:
    """Whether the answer passes, checking each event only against its own kind."""
    if not _by_event_name or not _answer_validator.is_valid(result):
        return False
    for event in result.get("events") or []:
        name = event.get("event") if isinstance(event, dict) else None
        validator = _by_event_name.get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


_docs_hint = (
    ". Failed to validate Action server response from API, make sure your response "
    "from the Action endpoint is valid. For more information about the format visit "
    "https://rasa.com/docs/rasa/custom-actions"
)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, with its validator built once."""
    if _valid_quickly(result):
        return True
    error = jsonschema.exceptions.best_match(_response_validator.iter_errors(result))
    if error is not None:
        error.message += _docs_hint
        raise error
    return True


_resolve_by_type = Event.resolve_by_type
_event_classes: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Event.resolve_by_type, remembering each class it found."""
    found = _event_classes.get(type_name)
    if found is None:
        found = _resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _event_classes[type_name] = found
    return found


_connectors: dict[asyncio.AbstractEventLoop, aiohttp.TCPConnector] = {}


def shared_session(self: EndpointConfig) -> aiohttp.ClientSession:
    """EndpointConfig.session, over one keep-alive connection pool per event loop."""
    loop = asyncio.get_running_loop()
    connector = _connectors.get(loop)
    if connector is None or connector.closed:
        connector = _connectors[loop] = aiohttp.TCPConnector()
    auth = None
    if self.basic_auth:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=connector,
        connector_owner=False,
    )


DIET_ANSWERS = 4096  # distinct feature sets kept; about 2 kB each


def features_key(message: Message) -> bytes:
    """A digest of every feature of a message: what DIET's answer depends on."""
    digest = hashlib.blake2b(digest_size=20)
    for feature in message.features:
        digest.update(f"{feature.attribute}|{feature.type}|{feature.origin}|".encode())
        values: Any = feature.features
        if scipy.sparse.issparse(values):
            coo = values.tocoo()
            digest.update(repr(coo.shape).encode())
            for part in (coo.row, coo.col, coo.data):
                digest.update(np.ascontiguousarray(part).tobytes())
        else:
            array = np.ascontiguousarray(values)
            digest.update(repr(array.shape).encode() + array.tobytes())
    return digest.digest()


class RecentAnswers:
    """DIET's intent and ranking for the latest distinct feature sets (one per component:
    a model loaded in its place starts empty)."""

    def __init__(self, size: int = DIET_ANSWERS) -> None:
        self.size = size
        self.answers: OrderedDict[bytes, tuple[Any, Any]] = OrderedDict()

    def get(self, key: bytes) -> tuple[Any, Any] | None:
        found = self.answers.get(key)
        if found is None:
            return None
        self.answers.move_to_end(key)
        # A copy: the FallbackClassifier inserts its entry into the ranking it is given.
        return copy.deepcopy(found)

    def put(self, key: bytes, label: Any, ranking: Any) -> None:
        self.answers[key] = copy.deepcopy((label, ranking))
        if len(self.answers) > self.size:
            self.answers.popitem(last=False)


_diet_process = DIETClassifier.process


def recent_answers(component: DIETClassifier) -> RecentAnswers:
    found: RecentAnswers | None = getattr(component, "_wismo_recent_answers", None)
    if found is None:
        found = RecentAnswers()
        component._wismo_recent_answers = found  # type: ignore[attr-defined]
    return found


def diet_process(self: DIETClassifier, messages: list[Message]) -> list[Message]:
    """DIET's `process`, its intent answer reused for features it has already read."""
    config = self.component_config
    if (
        config.get(ENTITY_RECOGNITION)
        or not config.get(INTENT_CLASSIFICATION)
        or self._execution_context.should_add_diagnostic_data
    ):
        return _diet_process(self, messages)
    recent = recent_answers(self)
    for message in messages:
        key = features_key(message)
        found = recent.get(key)
        if found is None:
            _diet_process(self, [message])
            recent.put(key, message.get(INTENT), message.get(INTENT_RANKING_KEY))
            continue
        label, ranking = found
        message.set(INTENT, label, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    return messages


def install() -> None:
    """Put the warm-up, the heap freeze and the shortcuts in Rasa's place."""
    # serve_application looks the loader up by name when the server starts.
    rasa.core.run.load_agent_on_start = load_and_warm_up
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
    EndpointConfig.session = shared_session  # type: ignore[method-assign]
    DIETClassifier.process = diet_process  # type: ignore[method-assign]
    domain_once.install()
