"""How well the grounding check (Belegpflicht) catches faulty model answers, what it costs, and how
soon a streamed answer appears in Telegram.

Builds the sample knowledge base into a temporary folder (real embedding model), asks every
answerable question of the catalogue, and builds stand-in answers from its real top passages:
a correct answer (sentences of passage 1 cited [1], one of passage 2 cited [2] where there is one)
and, per question, one answer per injected fault (invented number, wrong citation, citation of a
passage not given, unsupported name, own knowledge). Prints:

- share of faults caught before the user sees them (goal 100 %): the faulty sentence is not in
  the text the user gets (dropped, or the whole answer replaced by the extractive one);
- share of correct sentences wrongly dropped (goal <= 5 %), and correct answers that lost their core;
- check overhead per answer, p50/p95 (goal p95 <= 5 ms);
- time to the first streamed edit and to the final answer in Telegram (real bot, Bot API stand-in,
  model stand-in that starts streaming at once at ~20 words/s).

    .venv/bin/python benchmarks/grounding_check.py [--catalogue ../shared/eval/kb-dev.json] [--telegram 12]
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the stand-ins live with the tests

from bot.catalogue import load_catalogue  # noqa: E402
from bot.config import Config, LlmSettings  # noqa: E402
from bot.grounded.check import GroundingCheck, passage_source  # noqa: E402
from bot.grounded.facts import extract, words_of  # noqa: E402
from bot.grounded.prompt import Passage, passages_from  # noqa: E402
from indexer import Index, build_index  # noqa: E402
from indexer.sentences import split_sentences  # noqa: E402

CATALOGUE = Path("/work/shared/eval/kb-dev.json")
NAMES = ["Sabine Kortmann", "Dr. Markus Feldhoff", "Frau Petra Lindqvist", "Herr Olaf Brinkhoff"]
OWN_KNOWLEDGE = [
    "Grundsätzlich gelten hierfür die Vorgaben des Bundesdatenschutzgesetzes",
    "Anträge dieser Art sind in der Regel schriftlich beim Personalrat einzureichen",
    "Die Bearbeitung richtet sich nach dem Verwaltungsverfahrensgesetz des Landes",
    "Üblicherweise genehmigt die Kämmerei solche Ausgaben erst nach einer Ausschreibung",
    "Bei Rückfragen hilft erfahrungsgemäß die Poststelle im Erdgeschoss weiter",
    "Nach allgemeiner Praxis verlängert sich die Frist an Feiertagen automatisch",
]


def clean_sentences(text: str) -> list[str]:
    """Sentences a model could plausibly repeat: full sentences, not list fragments or tables."""
    return [s for line in text.splitlines() for s in split_sentences(line)
            if len(s.split()) >= 5 and s[0].isupper() and s.endswith(".") and "|" not in s]


def cite(sentence: str, number: int) -> str:
    return f"{sentence.rstrip('.')} [{number}]."


def reword(sentence: str) -> list[str]:
    """Light rewordings a model makes: a lead-in, and the main clause alone (before the first comma)."""
    body = sentence.rstrip(".")
    variants = [f"Laut den Unterlagen gilt: {body[0].lower()}{body[1:]}." if body.split()[0].lower() in _LOWER_STARTS
                else f"Laut den Unterlagen gilt: {body}."]
    head = body.split(",")[0]
    if head != body and len(head.split()) >= 5:
        variants.append(f"{head}.")
    return variants


_LOWER_STARTS = {"der", "die", "das", "ein", "eine", "sie", "es", "er", "wir", "bei", "für", "im", "in", "nach", "mit"}


def invent_number(sentence: str, taken: set[str]) -> str:
    """The sentence with its first number changed, or with an invented period added."""
    match = re.search(r"\d+", sentence)
    if match:
        value = int(match.group(0))
        new = next(str(value + step) for step in range(1, 50) if str(value + step) not in taken)
        return sentence[:match.start()] + new + sentence[match.end():]
    days = next(str(n) for n in range(11, 99) if str(n) not in taken)
    return f"{sentence.rstrip('.')}, und zwar innerhalb von {days} Tagen."


def faults(passages: list[Passage], correct: str, index: int) -> dict[str, str]:
    """One faulty sentence per kind, built from the correct first sentence."""
    taken = set().union(*(extract(p.text).numbers for p in passages))
    out = {
        "invented number": cite(invent_number(correct, taken), 1),
        "unsupported name": cite(f"{correct.rstrip('.')}, zuständig ist {NAMES[index % len(NAMES)]}", 1),
        "own knowledge": cite(OWN_KNOWLEDGE[index % len(OWN_KNOWLEDGE)], 1),
        "citation not given": cite(correct, len(passages) + 1),
    }
    factual = [s for s in clean_sentences(passages[0].text) if len(passages) > 1 and _only_in_first(s, passages)]
    if factual:  # a fact only in [1], cited as [2]
        out["wrong citation"] = cite(factual[0], 2)
    return out


def _only_in_first(sentence: str, passages: list[Passage]) -> bool:
    """The sentence states a number or name that passage 2 does not contain."""
    facts, second = extract(sentence), passages[1]
    return bool(facts.numbers - extract(second.text).numbers or facts.names - words_of(f"{second.title} {second.text}"))


def user_text(check: GroundingCheck, answer: str, extractive: str) -> str:
    checked = check.answer(answer)
    return extractive if checked.core_lost else checked.text


def run_check_benchmark(index: Index, questions: list) -> None:
    caught, total = Counter(), Counter()
    correct_sentences = dropped_correct = correct_answers = lost_core = 0
    reworded = dropped_reworded = 0
    overhead: list[float] = []
    cold: list[float] = []
    reasons: Counter[str] = Counter()
    dropped_examples: list[str] = []
    for number, item in enumerate(questions):
        result = index.search(item.question, k=8, groups={item.group} if item.group else ())
        if not result.answerable or not result.hits:
            continue
        passages = passages_from(result.hits[:3], result.passage)
        first = clean_sentences(passages[0].text)
        if not first:
            continue
        good = [cite(s, 1) for s in first[:2]]
        second = clean_sentences(passages[1].text) if len(passages) > 1 else []
        if second:
            good.append(cite(second[0], 2))
        correct = " ".join(good)
        passage_source.cache_clear()  # cold: this question's passages were never checked before
        start = time.perf_counter()
        check = GroundingCheck(passages, "de")
        outcome = check.answer(correct)
        cold.append((time.perf_counter() - start) * 1000)
        overhead.append(cold[-1])
        reasons[outcome.reason] += outcome.core_lost
        if outcome.core_lost:
            dropped_examples.append(f"Rückfall ({outcome.reason}): {correct[:110]}")
        correct_answers += 1
        correct_sentences += len(outcome.verdicts)
        dropped_correct += len(outcome.dropped)
        lost_core += outcome.core_lost
        dropped_examples += [f"{v.problem}: {v.sentence[:110]}" for v in outcome.dropped]
        for variant in (v for s in first[:2] for v in reword(s)):
            reworded += 1
            verdict = GroundingCheck(passages, "de").sentence(cite(variant, 1))
            dropped_reworded += verdict.problem is not None
            if verdict.problem:
                dropped_examples.append(f"{verdict.problem} (umformuliert): {variant[:110]}")
        for kind, fault in faults(passages, first[0], number).items():
            for where, answer in (("after", f"{good[0]} {fault}"), ("first", f"{fault} {good[0]}")):
                fresh = GroundingCheck(passages, "de")
                start = time.perf_counter()
                shown = user_text(fresh, answer, result.passage)
                overhead.append((time.perf_counter() - start) * 1000)
                total[kind] += 1
                caught[kind] += fault.rstrip(".") not in shown  # the sentence with its faulty citation
    faulty = sum(total.values())
    print(f"Fragen mit Antwort: {correct_answers} · fehlerhafte Antworten: {faulty} (je Fehler vorn und hinten)")
    print(f"Fehler abgefangen: {sum(caught.values())}/{faulty} = {100 * sum(caught.values()) / max(faulty, 1):.1f} % (Ziel 100 %)")
    for kind in sorted(total):
        print(f"  {kind:<20} {caught[kind]:>4}/{total[kind]:<4} {100 * caught[kind] / total[kind]:.1f} %")
    print(f"Richtige Sätze fälschlich verworfen: {dropped_correct}/{correct_sentences} = "
          f"{100 * dropped_correct / max(correct_sentences, 1):.1f} % (Ziel <= 5 %)")
    print(f"Leicht umformulierte richtige Sätze verworfen: {dropped_reworded}/{reworded} = "
          f"{100 * dropped_reworded / max(reworded, 1):.1f} %")
    print(f"Richtige Antworten, die auf den Auszug zurückfielen: {lost_core}/{correct_answers} "
          f"({', '.join(f'{r}: {n}' for r, n in reasons.items() if n)})")
    for example in dropped_examples[:8]:
        print(f"    verworfen – {example}")
    print(_times("Prüfaufwand je Antwort (alle)", overhead, "ms", 1) + " (Ziel p95 <= 5 ms)")
    print(_times("  davon erste Prüfung je Frage, Auszüge neu", cold, "ms", 1))


def _times(name: str, values: list[float], unit: str, scale: float) -> str:
    if not values:
        return f"{name}: –"
    ordered = sorted(v * scale for v in values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * (len(ordered) - 1)))]
    return (f"{name}: p50 {statistics.median(ordered):.2f} {unit} · p95 {p95:.2f} {unit} · "
            f"max {ordered[-1]:.2f} {unit} (n={len(ordered)})")


def run_telegram_benchmark(config: Config, index: Index, questions: list[str]) -> None:
    from openai_standin import Behaviour, OpenAIStandIn
    from telegram_standin import StandIn, run_polling

    from bot.core import ChatCore
    from bot.fronts.telegram import build_application

    first_edit, final = [], []
    with OpenAIStandIn() as model, StandIn("123:BENCH", "wissenslotse_bot") as telegram:
        model.behaviour = Behaviour(
            reply=lambda p: " ".join([cite(s, 1) for s in clean_sentences(p[1])[:2]]
                                     + [cite(s, n) for n in sorted(p)[1:] for s in clean_sentences(p[n])[:1]]),
            piece_words=1, delay=0.05)
        config.llm = LlmSettings(enabled=True, base_url=model.base_url, model=model.model, timeout_seconds=30)
        config.telegram.token, config.telegram.base_url = "123:BENCH", telegram.base_url
        config.telegram.allowed_users, config.telegram.rate_limit_per_minute = [4242], 0
        core = ChatCore(config, index)
        app = build_application(config, core)
        with run_polling(app):
            for question in questions:
                mark = telegram.mark()
                start = time.time()
                telegram.send_text(4242, question)
                done = telegram.wait_for(lambda c: c.method == "editMessageText" and "reply_markup" in c.params
                                         or c.method == "sendMessage" and "reply_markup" in c.params,
                                         timeout=60, since=mark)
                shown = [c for c in telegram.calls()[mark:] if c.method == "sendMessage"]
                if shown and done.method == "editMessageText":
                    first_edit.append(shown[0].time - start)
                final.append(done.time - start)
    assert core.phraser is not None
    print(f"Telegram: {len(questions)} Fragen · {core.phraser.stats.summary(model.model)}")
    print(_times("Telegram: erste gestreamte Vorschau", first_edit, "s", 1))
    print(_times("Telegram: fertige geprüfte Antwort", final, "s", 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    parser.add_argument("--telegram", type=int, default=10, help="questions for the streaming latency (0: skip)")
    args = parser.parse_args()
    questions = load_catalogue(args.catalogue)
    with tempfile.TemporaryDirectory(prefix="lotse-grounding-") as temp:
        config = Config()
        shutil.copytree(REPO / "knowledge", Path(temp) / "knowledge")
        config.index.knowledge_dir, config.index.data_dir = Path(temp) / "knowledge", Path(temp) / "var"
        config.index.progress = False
        index = Index(config.index, config.search)
        build_index(config.index, embedder=index.embedder)
        run_check_benchmark(index, questions)
        if args.telegram:
            answerable = [q.question for q in questions  # ones retrieval answers, so the model is asked
                          if not q.group and index.search(q.question).answerable][: args.telegram]
            run_telegram_benchmark(config, index, answerable)


if __name__ == "__main__":
    main()
