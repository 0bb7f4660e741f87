"""Small, honest fakes for fast unit tests: a deterministic embedder that counts its work."""
from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np


class FakeEmbedder:
    """Bag-of-words hashing into 64 dimensions: similar texts get similar vectors, no model needed."""

    def __init__(self, name: str = "fake-model", dimension: int = 64, max_tokens: int = 256) -> None:
        self.name = name
        self.dimension = dimension
        self.max_tokens = max_tokens
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        self.encoded.extend(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Roughly like a word-piece model on German: 1.5 pieces per word plus two specials."""
        return [int(len(text.split()) * 1.5) + 2 for text in texts]
