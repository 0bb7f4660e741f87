"""Heading-aware chunks of roughly 120–250 words that always fit the embedding model's window."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from .records import TABLE_CELL, Block, Chunk, ParsedDocument
from .sentences import split_sentences
from .units import is_heading

TokenCounter = Callable[[Sequence[str]], list[int]]
# Bump when chunk boundaries change (here or in a model's token limit): indexes rebuild themselves.
CHUNKING_VERSION = 6


def embedding_text(title: str, heading_path: str, text: str) -> str:
    """The text the model embeds: title and section give a short passage its context."""
    label = " › ".join(part for part in (title, heading_path) if part)
    return f"{label}\n{text}" if label else text


def embedding_input(title: str, chunk: Chunk) -> str:
    """The embedding text of a chunk of the document titled `title`."""
    return embedding_text(title, chunk.heading_path, chunk.text)


def _words(text: str) -> int:
    return len(text.split())


def _word_slices(text: str, max_words: int) -> list[str]:
    words = text.split()
    return [" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words)]


def _units(block: Block, max_words: int) -> list[str]:
    """A block that fits stays whole; a longer one is cut at sentences, list items or table rows."""
    if _words(block.text) <= max_words:
        return [block.text]
    if block.kind in {"list", "table", "code"}:
        lines = block.text.splitlines()
        if block.kind == "table" and len(lines) > 1:
            lines = [lines[0] + "\n" + line for line in lines[1:]]
    else:
        lines = split_sentences(block.text)
    return [piece for line in lines for piece in _word_slices(line, max_words)]


@dataclass
class _Group:
    """Text parts under one heading path, waiting to become (part of) a chunk, and their word count
    (kept as parts come: summed anew for every unit, it was a fifth of chunking's time)."""

    headings: tuple[str, ...]
    parts: list[str] = field(default_factory=list)
    words: int = 0

    def add(self, part: str, words: int) -> None:
        self.parts.append(part)
        self.words += words


def _common_prefix(paths: list[tuple[str, ...]]) -> tuple[str, ...]:
    prefix = paths[0]
    for path in paths[1:]:
        n = 0
        while n < min(len(prefix), len(path)) and prefix[n] == path[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


def _render(groups: list[_Group]) -> tuple[tuple[str, ...], str]:
    """Merged sections keep their own headings as lines, under the path they share."""
    prefix = _common_prefix([group.headings for group in groups])
    lines: list[str] = []
    for group in groups:
        if len(groups) > 1 and len(group.headings) > len(prefix):
            lines.append(" › ".join(group.headings[len(prefix):]))
        lines.extend(group.parts)
    return prefix, "\n".join(lines)


def _split_section(headings: tuple[str, ...], units: list[str], max_words: int, overlap: int) -> list[_Group]:
    """Pack units greedily up to max_words; each new piece repeats the last `overlap` sentences."""
    pieces: list[_Group] = [_Group(headings)]
    for unit in units:
        current, words = pieces[-1], _words(unit)
        if current.parts and current.words + words > max_words:
            carry = [p for p in current.parts[-overlap:] if _words(p) <= max_words // 4] if overlap else []
            current = _Group(headings)
            for part in carry:
                current.add(part, _words(part))
            pieces.append(current)
        current.add(unit, words)
    return pieces


def _sections(blocks: list[Block]) -> list[tuple[tuple[str, ...], list[Block]]]:
    sections: list[tuple[tuple[str, ...], list[Block]]] = []
    for block in blocks:
        if sections and sections[-1][0] == block.headings:
            sections[-1][1].append(block)
        else:
            sections.append((block.headings, [block]))
    return sections


def chunk_blocks(blocks: list[Block], min_words: int = 120, max_words: int = 250, overlap: int = 1) -> list[Chunk]:
    """Chunk by words: sections stay apart unless a small one fits together with its neighbour."""
    merged: list[list[_Group]] = []
    for headings, section_blocks in _sections(blocks):
        units = [unit for block in section_blocks for unit in _units(block, max_words)]
        for group in _split_section(headings, units, max_words, overlap):
            last_words = sum(g.words for g in merged[-1]) if merged else max_words + 1
            small = last_words < min_words or group.words < min_words // 2
            if small and last_words + group.words <= max_words:
                merged[-1].append(group)
            else:
                merged.append([group])
    chunks = []
    for position, groups in enumerate(merged):
        path, text = _render(groups)
        chunks.append(Chunk(text=text, headings=path, position=position))
    return chunks


def _table_header(lines: list[str]) -> str | None:
    """The header row of the table the last of `lines` belongs to, if it is a table row."""
    start = len(lines)
    while start > 0 and TABLE_CELL in lines[start - 1]:
        start -= 1
    return lines[start] if start < len(lines) - 1 else None


def _halve(chunk: Chunk) -> list[Chunk]:
    """Split an over-long chunk in two at a line, else a sentence, else a word boundary. A table cut
    in two repeats its header row in the second half, so its rows keep their column names."""
    for parts, glue in ((chunk.text.splitlines(), "\n"), (split_sentences(chunk.text), " "), (chunk.text.split(), " ")):
        if len(parts) >= 2:
            break
    middle = len(parts) // 2
    if glue == "\n":
        while middle > 1 and is_heading(parts[middle - 1], parts[middle]):
            middle -= 1  # a heading goes with the text under it, not at the end of the first half
    first, second = parts[:middle], parts[middle:]
    if glue == "\n" and TABLE_CELL in second[0] and (header := _table_header(first)) is not None:
        second = [header, *second]
    return [Chunk(glue.join(first), chunk.headings, 0), Chunk(glue.join(second), chunk.headings, 0)]


def fit_to_model(chunks: list[Chunk], title: str, count_tokens: TokenCounter, max_tokens: int) -> list[Chunk]:
    """Measure each chunk in the model's own tokens and halve those that would be truncated."""
    if not chunks:
        return []
    counts = count_tokens([embedding_input(title, chunk) for chunk in chunks])
    result: list[Chunk] = []
    for chunk, count in zip(chunks, counts):
        if count <= max_tokens or _words(chunk.text) < 2:
            result.append(chunk)
        else:
            result.extend(fit_to_model(_halve(chunk), title, count_tokens, max_tokens))
    return result


def chunk_document(
    document: ParsedDocument,
    count_tokens: TokenCounter | None = None,
    max_tokens: int = 256,
    min_words: int = 120,
    max_words: int = 250,
    overlap: int = 1,
) -> list[Chunk]:
    """All chunks of a document, in order, each within the model's token limit."""
    chunks = chunk_blocks(document.blocks, min_words, max_words, overlap)
    if count_tokens is not None:
        chunks = fit_to_model(chunks, document.title, count_tokens, max_tokens)
    for position, chunk in enumerate(chunks):
        chunk.position = position
    return chunks
