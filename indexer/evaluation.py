"""Retrieval quality on any SQuAD v1 file, through exactly the search path the bot uses.

Every paragraph becomes one Markdown document (titled by its article) in a throw-away folder;
distractor documents are indexed beside them the normal way. A question is found at the rank of
the first hit from its own paragraph.
"""
from __future__ import annotations

import json
import math
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .build import build_index
from .confidence import Evidence
from .embedder import Embedder
from .index import Index
from .search import SearchResult
from .settings import IndexSettings, SearchSettings


class EvalError(Exception):
    """The eval file cannot be used; the message says why."""


@dataclass
class QuestionOutcome:
    """One question's result: the rank of its paragraph (None if not in the top 10)."""

    question: str
    rank: int | None
    confidence: float
    evidence: Evidence | None
    indexed: bool  # False for held-out questions whose paragraph is not in the index
    passage_has_answer: bool


@dataclass
class EvalReport:
    """The figures `lotse eval` prints."""

    questions: int
    documents: int
    chunks: int
    mrr_at_10: float
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    ndcg_at_10: float
    latency_p50_ms: float
    latency_p95_ms: float
    indexing_seconds: float
    passage_contains_answer: float
    answerable_above_threshold: float  # answered without the caveat (confidence ≥ min_confidence)
    unanswerable_below_threshold: float | None = None  # not answered without the caveat
    answerable_declined: float = 0.0  # below caveat_confidence: declined
    unanswerable_declined: float | None = None
    outcomes: list[QuestionOutcome] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("outcomes")
        return data


@dataclass
class _Paragraph:
    key: str
    title: str
    context: str
    questions: list[tuple[str, list[str]]]


def load_squad(path: Path) -> list[_Paragraph]:
    """Paragraphs with their questions and answer texts from a SQuAD v1 JSON file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = []
        for a, article in enumerate(data["data"]):
            for p, paragraph in enumerate(article["paragraphs"]):
                questions = [(qa["question"], [ans["text"] for ans in qa.get("answers", [])]) for qa in paragraph["qas"]]
                title = str(article.get("title", f"Artikel {a}")).replace("_", " ")
                paragraphs.append(_Paragraph(f"a{a:04d}/p{p:03d}.md", title, paragraph["context"], questions))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise EvalError(f"{path} ist keine lesbare SQuAD-v1-Datei ({type(error).__name__}: {error})") from error
    if not paragraphs:
        raise EvalError(f"{path} enthält keine Absätze.")
    return paragraphs


def _write_documents(paragraphs: list[_Paragraph], folder: Path) -> None:
    for paragraph in paragraphs:
        target = folder / paragraph.key
        target.parent.mkdir(parents=True, exist_ok=True)
        title = json.dumps(paragraph.title, ensure_ascii=False)
        target.write_text(f"---\ntitle: {title}\n---\n\n{paragraph.context}\n", encoding="utf-8")


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_eval(
    squad_file: Path,
    settings: IndexSettings | None = None,
    search: SearchSettings | None = None,
    distractors: Path | None = None,
    holdout: bool = False,
    embedder: Embedder | None = None,
    limit: int | None = None,
) -> EvalReport:
    """Index the file's paragraphs (and distractors) in a temporary folder and score every question.

    With `holdout`, only every other article is indexed: questions about the others have no answer
    in the index and should fall below the no-answer threshold.
    """
    paragraphs = load_squad(squad_file)
    if distractors is not None and not distractors.is_dir():
        raise EvalError(f"Der Ordner für Ablenkungsdokumente {distractors} existiert nicht.")
    articles = sorted({p.key.split("/")[0] for p in paragraphs})
    indexed_articles = set(articles[::2]) if holdout else set(articles)
    search = search or SearchSettings()
    with tempfile.TemporaryDirectory(prefix="lotse-eval-") as temp:
        root = Path(temp)
        knowledge = root / "knowledge"
        _write_documents([p for p in paragraphs if p.key.split("/")[0] in indexed_articles], knowledge / "squad")
        if distractors is not None:
            shutil.copytree(distractors, knowledge / "distractors", ignore=shutil.ignore_patterns(".*"))
        base = settings or IndexSettings()
        run_settings = replace(base, knowledge_dir=knowledge, data_dir=root / "var")
        started = time.perf_counter()
        report = build_index(run_settings, embedder=embedder)
        indexing_seconds = time.perf_counter() - started
        index = Index(run_settings, search, embedder=embedder)
        outcomes, latencies = [], []
        for paragraph in paragraphs:
            indexed = paragraph.key.split("/")[0] in indexed_articles
            gold = f"squad/{paragraph.key}"
            for question, answers in paragraph.questions:
                if limit is not None and len(outcomes) >= limit:
                    break
                started = time.perf_counter()
                result = index.search(question, k=10)
                latencies.append((time.perf_counter() - started) * 1000)
                rank = next((n for n, hit in enumerate(result.hits, 1) if hit.source == gold), None)
                outcomes.append(
                    QuestionOutcome(question, rank, result.confidence, result.evidence, indexed,
                                    shows_answer(result, rank, gold, answers))
                )
    return _score(outcomes, latencies, report.indexed, report.chunks_total, indexing_seconds, search, holdout)


def shows_answer(result: SearchResult, rank: int | None, gold: str, answers: list[str]) -> bool:
    """The reply holds the answer beside the right paragraph's source: in the passage when that
    paragraph is cited first, or in the competing passage shown under it (`Alternative`)."""
    def holds(text: str) -> bool:
        return any(answer.lower() in text.lower() for answer in answers)

    alternative = result.answer.alternative if result.answer else None
    return (rank == 1 and holds(result.passage)) or (
        alternative is not None and alternative.source == gold and holds(alternative.text))


def _score(outcomes: list[QuestionOutcome], latencies: list[float], documents: int, chunks: int,
           indexing_seconds: float, search: SearchSettings, holdout: bool) -> EvalReport:
    answerable = [o for o in outcomes if o.indexed]
    if not answerable:
        raise EvalError("Keine Fragen zu bewerten.")
    n = len(answerable)

    def recall(k: int) -> float:
        return sum(o.rank is not None and o.rank <= k for o in answerable) / n

    unanswerable = [o for o in outcomes if not o.indexed]
    return EvalReport(
        questions=len(outcomes), documents=documents, chunks=chunks,
        mrr_at_10=sum(1 / o.rank for o in answerable if o.rank) / n,
        recall_at_1=recall(1), recall_at_5=recall(5), recall_at_10=recall(10),
        ndcg_at_10=sum(1 / math.log2(o.rank + 1) for o in answerable if o.rank) / n,
        latency_p50_ms=statistics.median(latencies), latency_p95_ms=_percentile(latencies, 0.95),
        indexing_seconds=indexing_seconds,
        passage_contains_answer=sum(o.passage_has_answer for o in answerable) / n,
        answerable_above_threshold=sum(o.confidence >= search.min_confidence for o in answerable) / n,
        unanswerable_below_threshold=(
            sum(o.confidence < search.min_confidence for o in unanswerable) / len(unanswerable) if holdout and unanswerable else None
        ),
        answerable_declined=sum(o.confidence < search.caveat_confidence for o in answerable) / n,
        unanswerable_declined=(
            sum(o.confidence < search.caveat_confidence for o in unanswerable) / len(unanswerable) if holdout and unanswerable else None
        ),
        outcomes=outcomes,
    )
