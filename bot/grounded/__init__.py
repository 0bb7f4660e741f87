"""Grounded answers: an optional model phrases the answer from the retrieved passages, and code
checks every sentence against the passages it cites before anyone sees it."""
from .check import Checked, GroundingCheck, Verdict
from .client import ChatClient, ModelError
from .phraser import Phraser, PhraserStats
from .prompt import Passage, build_messages, passages_from

__all__ = ["ChatClient", "Checked", "GroundingCheck", "ModelError", "Passage", "Phraser", "PhraserStats",
           "Verdict", "build_messages", "passages_from"]
