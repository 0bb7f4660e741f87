"""Expert answers as Markdown FAQ entries in the knowledge folder, and their review by an admin.

An entry is an ordinary document (so the indexer needs nothing special) with front matter that
says where it came from and `reviewed: false` until an admin approves it; the chat core marks
answers from such entries as "noch nicht geprüft". An entry carries the `access` of what the asker
saw (restricted sources give a restricted entry), which the reviewer can change. The file is the
only record of an entry's state, so a restart or a re-index never disagrees with it.
"""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import frontmatter

from .clock import Clock, utc_now

PREFIX = "expertenantwort"
# The access of an answer whose sources belong to groups with no member in common: a group nobody
# is in, so the entry is hidden until a reviewer sets its access in /pruefen.
ACCESS_TO_DECIDE = "zugriff-festlegen"


@dataclass
class FaqEntry:
    """One expert answer as stored in the knowledge folder."""

    handoff_id: int
    path: str  # under the knowledge folder
    question: str
    answer: str
    author: str
    owner: str
    reviewed: bool
    updated: str
    access: tuple[str, ...] = ()  # groups that may see it; empty: everyone


def may_read(entry: FaqEntry, groups: Iterable[str]) -> bool:
    """Whether a reviewer in `groups` may read the answer: public entries, entries of one of their
    groups, and entries whose access is still to be decided (someone must read them to decide)."""
    return not entry.access or ACCESS_TO_DECIDE in entry.access or bool(set(entry.access) & set(groups))


PUBLIC_WORDS = {"öffentlich", "oeffentlich", "alle", "-"}


def parse_access(text: str, known: Iterable[str]) -> list[str]:
    """A reviewer's access input: "öffentlich" (or "alle") → [], else group names separated by
    commas or spaces, each one of `known`; ValueError (German) otherwise."""
    words, known = [w for w in re.split(r"[,\s]+", text.strip()) if w], set(known)
    if not words:
        raise ValueError("Bitte nennen Sie eine Gruppe oder „öffentlich“.")
    if len(words) == 1 and words[0].lower() in PUBLIC_WORDS:
        return []
    unknown = [w for w in words if w not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "keine"
        raise ValueError(f"Unbekannte Gruppe: {', '.join(unknown)}. "
                         f"Bekannte Gruppen: {listed} – oder „öffentlich“.")
    return sorted(set(words))


def slug(text: str, limit: int = 50) -> str:
    """A file-name friendly form of a question: "Wo stelle ich mein Rad ab?" → "wo-stelle-ich-mein-rad-ab"."""
    text = text.lower().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return words[:limit].rstrip("-") or "frage"


class FaqWriter:
    """Writes, finds, approves, edits and removes expert answers under `knowledge_dir / faq_dir`."""

    def __init__(self, knowledge_dir: Path, faq_dir: str = "faq", clock: Clock = utc_now) -> None:
        self.knowledge_dir = knowledge_dir
        self.folder = knowledge_dir / faq_dir
        self.clock = clock

    def write(self, handoff_id: int, question: str, answer: str, author: str, owner: str,
              question_id: int | None, access: Iterable[str] = ()) -> FaqEntry:
        """Store a new, unreviewed entry for hand-off `handoff_id`, restricted to `access` if given."""
        today = self.clock().date().isoformat()
        groups = sorted(set(access))
        meta = {
            "title": question, **({"access": groups} if groups else {}), "question": question,
            "answer_author": author, "owner": owner,
            "date": today, "updated": today, "source_question": question_id, "handoff": handoff_id,
            "reviewed": False, "tags": ["faq", "expertenantwort"],
        }
        path = self.folder / f"{PREFIX}-{handoff_id}-{slug(question)}.md"
        self._save(path, frontmatter.Post(answer.strip() + "\n", **meta))
        return self._entry(path)

    def get(self, handoff_id: int) -> FaqEntry | None:
        """The entry written for `handoff_id`, if it (still) exists."""
        for path in sorted(self.folder.glob(f"{PREFIX}-{handoff_id}-*.md")):
            entry = self._entry(path)
            if entry is not None and entry.handoff_id == handoff_id:
                return entry
        return None

    def pending(self) -> list[FaqEntry]:
        """Entries still waiting for review, oldest hand-off first."""
        entries = [self._entry(p) for p in sorted(self.folder.glob(f"{PREFIX}-*.md"))]
        return sorted((e for e in entries if e is not None and not e.reviewed), key=lambda e: e.handoff_id)

    def approve(self, handoff_id: int) -> FaqEntry | None:
        """Mark the entry reviewed; None if it no longer exists."""
        return self._change(handoff_id, lambda post: post.metadata.update(reviewed=True))

    def replace_answer(self, handoff_id: int, answer: str) -> FaqEntry | None:
        """Replace the answer text (the entry stays unreviewed until approved)."""
        return self._change(handoff_id, lambda post: setattr(post, "content", answer.strip() + "\n"))

    def set_access(self, handoff_id: int, groups: Iterable[str]) -> FaqEntry | None:
        """Restrict the entry to `groups` (none: open to everyone); None if it no longer exists."""
        chosen = sorted(set(groups))

        def edit(post: frontmatter.Post) -> None:
            post.metadata.pop("access", None)
            if chosen:
                post.metadata["access"] = chosen

        return self._change(handoff_id, edit)

    def reject(self, handoff_id: int) -> FaqEntry | None:
        """Delete the entry; returns what was deleted, or None if it did not exist."""
        entry = self.get(handoff_id)
        if entry is not None:
            (self.knowledge_dir / entry.path).unlink(missing_ok=True)
        return entry

    # -- files --------------------------------------------------------------------------------------
    def _change(self, handoff_id: int, edit: Callable[[frontmatter.Post], object]) -> FaqEntry | None:
        entry = self.get(handoff_id)
        if entry is None:
            return None
        path = self.knowledge_dir / entry.path
        post = frontmatter.load(path)
        edit(post)
        post.metadata["updated"] = self.clock().date().isoformat()
        self._save(path, post)
        return self._entry(path)

    def _entry(self, path: Path) -> FaqEntry | None:
        try:
            post = frontmatter.load(path)
        except (OSError, ValueError):
            return None
        meta = post.metadata
        if not isinstance(meta.get("handoff"), int):
            return None
        access = meta.get("access") or ()
        access = access.split(",") if isinstance(access, str) else access
        return FaqEntry(meta["handoff"], path.relative_to(self.knowledge_dir).as_posix(), str(meta.get("question") or ""),
                        post.content.strip(), str(meta.get("answer_author") or ""), str(meta.get("owner") or ""),
                        meta.get("reviewed") is True, str(meta.get("updated") or ""),
                        tuple(str(g).strip() for g in access if str(g).strip()))

    @staticmethod
    def _save(path: Path, post: frontmatter.Post) -> None:
        """Write atomically, so the indexer never reads half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(frontmatter.dumps(post, sort_keys=False) + "\n")
        os.chmod(temporary, 0o644)  # readable like every other document
        os.replace(temporary, path)
