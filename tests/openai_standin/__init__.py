"""An OpenAI-compatible Chat Completions server on 127.0.0.1 for tests: real HTTP and SSE,
told per test how to misbehave."""
from .server import Behaviour, OpenAIStandIn, passages_in

__all__ = ["Behaviour", "OpenAIStandIn", "passages_in"]
