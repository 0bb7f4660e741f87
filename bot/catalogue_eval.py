"""`lotse eval` for question catalogues: every question asked as the bot would, every reply scored.

The knowledge folder is indexed into a throw-away data folder, so neither the live index nor the
question log changes. A key fact counts only in the answer text a person reads above the sources.
"""
from __future__ import annotations

import contextlib
import re
import statistics
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterator

from indexer import Index, build_index
from indexer.embedder import Embedder

from .catalogue import CatalogueQuestion
from .config import Config, LlmSettings
from .core import Answer, Asker, ChatCore
from .grounded import PhraserStats
from .interactions import Interactions

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def normalise(text: str) -> str:
    """Lower case, one space for any whitespace run, every dash as '-' without spaces around it."""
    return re.sub(r" ?- ?", "-", " ".join(_DASHES.sub("-", text).lower().split()))


def contains_fact(text: str, fact: str) -> bool:
    """`fact` occurs in `text` (normalised); a fact that starts or ends with a digit must not be
    glued to further digits ("12 Zeichen" is not found in "112 Zeichen")."""
    needle = normalise(fact)
    if not needle:
        return False
    before = r"(?<!\d)" if needle[0].isdigit() else ""
    after = r"(?!\d)" if needle[-1].isdigit() else ""
    return re.search(before + re.escape(needle) + after, normalise(text)) is not None


@dataclass
class QuestionResult:
    """How the bot's reply to one catalogue question fared."""

    id: str
    style: str
    question: str
    answered: bool
    caveat: bool
    text: str
    sources: list[str]
    answerable: bool
    source_rank: int | None = None  # 1-based rank of the first right source among the cited ones
    has_fact: bool = False
    all_parts: bool | None = None  # only for multi-part questions
    leak: bool = False
    current_wins: bool | None = None  # only for questions with a superseded/expired alternative
    words: int = 0
    phrased: bool = False  # written by the model and checked ([llm])


@dataclass
class Figures:
    """The measures for one set of questions (all, or one style)."""

    questions: int
    answerable: int
    source_at_1: float | None
    source_at_3: float | None
    key_fact: float | None
    all_parts: float | None
    answered: float
    false_declines: float | None
    declined_when_unanswerable: float | None
    unsure_when_unanswerable: float | None  # declined, or answered only with the caveat
    restricted_leaks: int
    current_beats_superseded: float | None
    words_median: float | None
    words_p95: float | None
    phrased: float = 0.0  # share of answers the model phrased (the rest: extractive)


@dataclass
class CatalogueReport:
    """Figures overall and per style, plus every question's result."""

    overall: Figures
    styles: dict[str, Figures]
    results: list[QuestionResult] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        return {"overall": asdict(self.overall), "styles": {k: asdict(v) for k, v in self.styles.items()}}


def score_answer(item: CatalogueQuestion, answer: Answer, restricted: dict[str, frozenset[str]]) -> QuestionResult:
    """Score one reply. `restricted` maps a document path to the groups that may read it."""
    cited = [source.path for source in (*answer.sources, *answer.more_sources)]
    shown = f"{answer.text}\n{answer.alternative}".strip()  # what the reader sees above the sources
    text = shown if answer.answered else ""
    asker_groups = {item.group} if item.group else set()
    result = QuestionResult(item.id, item.style, item.question, answer.answered, answer.caveat, shown, cited,
                            item.answerable, words=len(text.split()) if answer.answered else 0,
                            phrased=answer.phrased)
    if item.answerable:
        result.source_rank = next((n for n, path in enumerate(cited, 1) if path in item.sources), None)
        result.has_fact = any(contains_fact(text, fact) for fact in item.key_facts)
        if item.facts_all:
            result.all_parts = all(any(contains_fact(text, fact) for fact in part) for part in item.facts_all)
    cited_secret = any(restricted.get(path) and not (restricted[path] & asker_groups) for path in cited)
    told_secret = not item.answerable and item.style == "restricted" and any(contains_fact(shown, f) for f in item.key_facts)
    result.leak = cited_secret or told_secret
    if item.forbidden_source and item.forbidden_source not in restricted and item.answerable:
        shown = [source.path for source in answer.sources] if answer.answered else []
        result.current_wins = bool(shown) and shown[0] in item.sources and item.forbidden_source not in shown
    return result


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _percentile(values: list[int], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))])


def figures(results: list[QuestionResult]) -> Figures:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    lengths = [r.words for r in results if r.answered]
    return Figures(
        questions=len(results),
        answerable=len(answerable),
        source_at_1=_share([r.source_rank == 1 for r in answerable]),
        source_at_3=_share([r.source_rank is not None and r.source_rank <= 3 for r in answerable]),
        key_fact=_share([r.has_fact for r in answerable]),
        all_parts=_share([r.all_parts for r in answerable if r.all_parts is not None]),
        answered=_share([r.answered for r in results]) or 0.0,
        false_declines=_share([not r.answered for r in answerable]),
        declined_when_unanswerable=_share([not r.answered for r in unanswerable]),
        unsure_when_unanswerable=_share([not r.answered or r.caveat for r in unanswerable]),
        restricted_leaks=sum(r.leak for r in results),
        current_beats_superseded=_share([r.current_wins for r in results if r.current_wins is not None]),
        words_median=float(statistics.median(lengths)) if lengths else None,
        words_p95=_percentile(lengths, 0.95),
        phrased=_share([r.phrased for r in results]) or 0.0,
    )


def report(results: list[QuestionResult]) -> CatalogueReport:
    styles = sorted({r.style for r in results if r.style})
    return CatalogueReport(figures(results), {s: figures([r for r in results if r.style == s]) for s in styles}, results)


@contextlib.contextmanager
def _throwaway_core(config: Config, embedder: Embedder | None) -> Iterator[tuple[Config, Index, Interactions]]:
    """The configured knowledge folder indexed in a temporary data folder, with its own question log."""
    with tempfile.TemporaryDirectory(prefix="lotse-katalog-") as temp:
        settings = replace(config.index, data_dir=Path(temp), progress=False)
        index = Index(settings, config.search, embedder=embedder)
        build_index(settings, embedder=index.embedder)
        interactions = Interactions(Path(temp) / "interactions.db", config.chat.retention_days)
        try:
            yield replace(config, index=settings), index, interactions
        finally:
            interactions.close()


def _ask_all(core: ChatCore, index: Index, questions: list[CatalogueQuestion]) -> CatalogueReport:
    restricted = {doc.path: doc.access for doc in index.documents() if doc.access}
    results = []
    for item in questions:
        asker = Asker(f"eval:{item.id}", groups=frozenset({item.group} if item.group else ()), channel="eval")
        results.append(score_answer(item, core.ask(item.question, asker), restricted))
    return report(results)


def run_catalogue(config: Config, questions: list[CatalogueQuestion], embedder: Embedder | None = None) -> CatalogueReport:
    """Index the configured knowledge folder in a temporary data folder and ask every question
    (extractive answers: the model is left out whatever [llm] says)."""
    with _throwaway_core(config, embedder) as (run_config, index, interactions):
        return _ask_all(ChatCore(replace(run_config, llm=LlmSettings()), index, interactions), index, questions)


def compare_with_model(config: Config, questions: list[CatalogueQuestion],
                       embedder: Embedder | None = None) -> tuple[CatalogueReport, CatalogueReport, PhraserStats]:
    """Every question asked twice on one index: extractive, then phrased by the [llm] model;
    with what the model did (phrased, dropped sentences, fallbacks)."""
    with _throwaway_core(config, embedder) as (run_config, index, interactions):
        without = _ask_all(ChatCore(replace(run_config, llm=LlmSettings()), index, interactions), index, questions)
        phrasing = ChatCore(replace(run_config, llm=replace(config.llm, enabled=True)), index, interactions)
        with_model = _ask_all(phrasing, index, questions)
        assert phrasing.phraser is not None
        return without, with_model, phrasing.phraser.stats
