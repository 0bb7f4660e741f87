"""German words for the words of an English question, from FreeDict's English–German dictionary.

An English question matches the German documents lexically only by names ("LoRaWAN", "Bochum"),
so the one English summary in a knowledge base wins its lexical side whatever it asks ("Under
which licence …?" – "Lizenz" stands only in the Open-Data page). Each English word and word pair
is looked up and its first German translations that a visible document uses are searched beside
the question, at the weight of a synonym. The dictionary is FreeDict's (GPL), which Debian ships as
`dict-freedict-eng-deu` (dictd files); it is read once into a small SQLite table in the user's
cache folder, so a search looks words up instead of holding 300,000 entries in memory. Without the
files the search simply has no translations.
"""
from __future__ import annotations

import functools
import gzip
import logging
import os
import re
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .analysis import Analyzer
from .question_form import ENGLISH_FUNCTION_WORDS

log = logging.getLogger(__name__)

DEFAULT_PATH = Path("/usr/share/dictd/freedict-eng-deu.index")  # beside it: freedict-eng-deu.dict.dz
PER_WORD = 2  # German terms searched per English word: kb-heldout-2/-4/-5 +1 each; 3 lost one on -5
MAX_HEADWORD_WORDS = 2  # words and word pairs ("subject line", "air quality")
MAX_TRANSLATION_WORDS = 2
STALE_SECONDS = 600  # a build takes ~8 s; an older unfinished table is left over
_BASE64 = {c: n for n, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_NOTE = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
_PLACEHOLDERS = frozenset({"etw.", "jdn.", "jdm.", "jds.", "sich"})
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _number(code: str) -> int:
    """A dictd index offset or length (base64 digits)."""
    value = 0
    for char in code:
        value = value * 64 + _BASE64[char]
    return value


def parse_translations(line: str) -> list[str]:
    """The German words of an entry's first translation line, without grammar notes and
    placeholders ("etw. aufstellen <v, trans>, einrichten" → ["aufstellen", "einrichten"])."""
    words = []
    for alternative in _NOTE.sub(" ", line).split(","):
        tokens = [t for t in alternative.split() if t not in _PLACEHOLDERS]
        if 1 <= len(tokens) <= MAX_TRANSLATION_WORDS and all(t[:1].isalpha() for t in tokens):
            words.append(" ".join(tokens))
    return words


def read_dictd(index: Path) -> Iterator[tuple[str, list[str]]]:
    """(headword, German words) for every entry of a dictd dictionary (`.index` beside `.dict.dz`)."""
    data = gzip.open(index.with_suffix(".dict.dz")).read()
    with index.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or not parts[0] or parts[0].startswith("00database"):
                continue
            headword = parts[0].lower()
            if len(headword.split()) > MAX_HEADWORD_WORDS:
                continue
            start = _number(parts[1])
            entry = data[start:start + _number(parts[2])].decode("utf-8", "replace").split("\n")
            if len(entry) > 1 and (words := parse_translations(entry[1])):
                yield headword, words


class Translations:
    """English words → German words, looked up in a SQLite table built from the dictionary once."""

    def __init__(self, dictionary: Path | None = DEFAULT_PATH, cache_dir: Path | None = None):
        self._table: Path | None = None
        self._local = threading.local()
        self._ready = threading.Event()
        if dictionary is None or not dictionary.is_file():
            self._ready.set()
            return
        threading.Thread(target=self._prepare, args=(dictionary, cache_dir), daemon=True, name="translations").start()

    def _prepare(self, dictionary: Path, cache_dir: Path | None) -> None:
        """Find or build the table for this dictionary file (named by its size and time)."""
        try:
            stat = dictionary.stat()
            folder = cache_dir or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wissenslotse"
            table = folder / f"{dictionary.stem}-{stat.st_size}-{int(stat.st_mtime)}.sqlite"
            if not table.is_file():
                _build(dictionary, table)
            self._table = table
        except (OSError, RuntimeError, UnicodeDecodeError, sqlite3.Error, EOFError) as error:  # RuntimeError: no home
            log.warning("Dictionary %s not readable (%s): English questions without translations", dictionary, error)
        finally:
            self._ready.set()

    def german(self, phrase: str) -> list[str]:
        """The German words for an English word or word pair (a plural also as its singular)."""
        self._ready.wait()
        if self._table is None:
            return []
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(f"file:{self._table}?mode=ro", uri=True)
        for key in (phrase, phrase[:-1]) if phrase.endswith("s") else (phrase,):
            row = db.execute("SELECT german FROM translations WHERE english = ?", (key,)).fetchone()
            if row:
                return row[0].split("\n")
        return []

    def search_terms(self, question: str, analyzer: Analyzer, visible: Callable[[str], bool]) -> list[str]:
        """The German search terms for an English question: per content word and word pair, the
        first PER_WORD translations' terms that a document the asker may see holds."""
        words = [w.lower() for w in _WORD.findall(question)]
        phrases: Iterable[str] = [*(f"{a} {b}" for a, b in zip(words, words[1:])),
                                  *(w for w in words if w not in ENGLISH_FUNCTION_WORDS and len(w) > 2)]
        found: list[str] = []
        for phrase in dict.fromkeys(phrases):
            terms = [t for german in self.german(phrase) for t in analyzer.terms(german)[:1] if visible(t)]
            found.extend(t for t in list(dict.fromkeys(terms))[:PER_WORD] if t not in found)
        return found


def _build(dictionary: Path, table: Path) -> None:
    """Write the table whole or not at all (also when another process builds it at the same time)."""
    table.parent.mkdir(parents=True, exist_ok=True)
    for stale in table.parent.glob("*.part"):  # left by a process that ended while building
        if time.time() - stale.stat().st_mtime > STALE_SECONDS:
            stale.unlink(missing_ok=True)
    handle, temporary = tempfile.mkstemp(dir=table.parent, suffix=".part")
    os.close(handle)
    try:
        entries: dict[str, list[str]] = {}
        for headword, words in read_dictd(dictionary):
            known = entries.setdefault(headword, [])
            known.extend(w for w in words if w not in known)
        db = sqlite3.connect(temporary)
        try:
            with db:
                db.execute("CREATE TABLE translations (english TEXT PRIMARY KEY, german TEXT) WITHOUT ROWID")
                db.executemany("INSERT INTO translations VALUES (?, ?)", ((h, "\n".join(w)) for h, w in entries.items()))
        finally:
            db.close()
        os.replace(temporary, table)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


@functools.cache
def shared_translations(dictionary: Path | None = DEFAULT_PATH) -> Translations:
    """One dictionary per file for the whole process (every index generation shares it; should two
    threads start one at once, the table is still built whole, see `Translations._prepare`)."""
    return Translations(dictionary)
