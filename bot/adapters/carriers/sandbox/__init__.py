"""The sandbox carrier: a local HTTP service speaking EasyPost's Trackers API.

It serves the imported tracking histories (through `SandboxTrackingSource`) so
that the very client that talks to EasyPost runs in the demo and the tests.
"""

from bot.adapters.carriers.sandbox.app import create_app, serve

__all__ = ["create_app", "serve"]
