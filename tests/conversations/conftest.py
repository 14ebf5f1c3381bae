"""A shopper over the REST channel of the whole stack (the `stack` fixture: tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.support.chat import Chat
from tests.support.stack import Stack


@pytest.fixture
def chat(stack: Stack) -> Chat:
    return Chat(stack.rest_url)
