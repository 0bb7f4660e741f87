"""The onboarding path for new hires: ordered steps from the knowledge base and each person's progress.

A step is a document with `onboarding: N` in its front matter; N orders the path. A step with
`onboarding_department: "…"` belongs only to that department's path; steps without it are on
every path. A restricted document (`access`) is a step only on the paths of its groups' members;
steps are numbered by their position on each person's own path. Progress is stored per pseudonym
and keyed by document path, so it survives restarts and re-indexing. Front ends only translate;
all decisions are made here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Iterable

from .clock import Clock, parse_stamp, stamp, utc_now
from .core import Asker, ChatCore

DEPARTMENT_KEY = "onboarding_department"
RESTRICTED_STEP = "🔒 vertraulicher Schritt (Titel nur für Mitglieder der Gruppe)"
_STEP_PREFIX = re.compile(r"^\s*onboarding\s*\d+\s*[:–-]\s*", re.IGNORECASE)  # "Onboarding 2: Zugänge" → "Zugänge"


@dataclass(frozen=True)
class Step:
    """One step of the path: which document, what it is about, and where to read it in full.

    `number` is the document's `onboarding: N` (stable, used by buttons); `position` is where the
    step stands on this person's path (shown as "Schritt 2 von 6")."""

    number: int
    document: str
    title: str
    summary: str
    location: str
    department: str | None = None
    access: frozenset[str] = frozenset()
    position: int = 0

    @property
    def label(self) -> str:
        return f"{self.position}. {self.title}"


@dataclass(frozen=True)
class StepState:
    """A step as one person sees it: done, the next one, or still ahead."""

    step: Step
    done: bool
    current: bool

    @property
    def symbol(self) -> str:
        return "✅" if self.done else "▶" if self.current else "▫️"


@dataclass
class Progress:
    """Where one person stands on their path."""

    department: str | None
    steps: list[StepState]
    started: bool

    @property
    def done(self) -> int:
        return sum(state.done for state in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def finished(self) -> bool:
        return bool(self.steps) and self.done == self.total

    @property
    def next(self) -> Step | None:
        return next((state.step for state in self.steps if state.current), None)


@dataclass(frozen=True)
class StuckPerson:
    """Someone who has not moved on for a while (shown to admins by a short pseudonym only)."""

    person: str
    step: str
    days: int


@dataclass
class OnboardingOverview:
    """For admins: how many started and finished, who is at which step, who is stuck."""

    started: int = 0
    finished: int = 0
    at_step: list[tuple[str, int]] = field(default_factory=list)
    stuck: list[StuckPerson] = field(default_factory=list)
    stuck_after_days: int = 7


class Onboarding:
    """The onboarding path over the live index and the interactions database."""

    def __init__(self, core: ChatCore, clock: Clock = utc_now) -> None:
        self.core = core
        self.clock = clock
        self.db = core.interactions.db
        self.settings = core.config.onboarding

    # -- the path ---------------------------------------------------------------------------------
    def _all_steps(self, groups: Iterable[str]) -> list[Step]:
        """Every step a member of `groups` may see, unnumbered (restricted ones only for members)."""
        steps = []
        for document in self.core.index.documents(groups=groups):
            number = _step_number(document.meta.get("onboarding"))
            if number is None:
                continue
            department = str(document.meta.get(DEPARTMENT_KEY) or "").strip() or None
            title = _STEP_PREFIX.sub("", document.title) or document.title
            steps.append(Step(number, document.path, title, "", self.core.location(document.path, document.meta),
                              department, document.access))
        return sorted(steps, key=lambda s: (s.number, s.document))

    def departments(self, groups: Iterable[str] = ()) -> list[str]:
        """Departments with steps of their own a member of `groups` sees, sorted (empty: one path for all)."""
        return sorted({s.department for s in self._all_steps(groups) if s.department})

    def steps(self, groups: Iterable[str] = (), department: str | None = None) -> list[Step]:
        """The path for `department` as a member of `groups` sees it: common steps plus the
        department's own, in order, numbered 1, 2, … on this path."""
        chosen = [s for s in self._all_steps(groups) if s.department in (None, department)]
        return [replace(step, position=n) for n, step in enumerate(chosen, start=1)]

    def with_summary(self, step: Step, groups: Iterable[str]) -> Step:
        """The step with its summary: the first sentences of the document, taken from the index."""
        return replace(step, summary=self.core.index.lead(step.document, self.settings.summary_sentences, groups))

    # -- one person -------------------------------------------------------------------------------
    def _row(self, user_id: int | str) -> dict | None:
        rows = list(self.db["onboarding"].rows_where("pseudonym = ?", [self.core.interactions.pseudonym(user_id)]))
        return rows[0] if rows else None

    def _done(self, pseudonym: str) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT document FROM onboarding_steps WHERE pseudonym = ?", [pseudonym])}

    def progress(self, asker: Asker) -> Progress:
        """This person's path with each step's state."""
        row = self._row(asker.user_id)
        department = row["department"] if row else None
        return self._progress(self.steps(asker.groups, department),
                              self._done(self.core.interactions.pseudonym(asker.user_id)), department, row is not None)

    @staticmethod
    def _progress(steps: list[Step], done: set[str], department: str | None, started: bool) -> Progress:
        first_open = next((s.document for s in steps if s.document not in done), None)
        states = [StepState(s, s.document in done, s.document == first_open) for s in steps]
        return Progress(department, states, started)

    def start(self, asker: Asker) -> Progress:
        """Begin (or continue) the path; returns the progress."""
        if self._row(asker.user_id) is None:
            now = stamp(self.clock())
            self.db["onboarding"].insert({"pseudonym": self.core.interactions.pseudonym(asker.user_id),
                                          "department": None, "started_at": now, "last_step_at": now,
                                          "finished_at": None})
        return self.progress(asker)

    def choose_department(self, asker: Asker, department: str | None) -> Progress:
        """Follow `department`'s path (None: the common steps only); unknown names raise ValueError."""
        if department is not None and department not in self.departments(asker.groups):
            raise ValueError(f"Unbekannter Bereich: {department}")
        self.start(asker)
        self.db["onboarding"].update(self.core.interactions.pseudonym(asker.user_id), {"department": department})
        return self._finish_if_done(asker)

    def next_step(self, asker: Asker) -> Step | None:
        """The next open step with its summary (starting the path if needed); None when all are done."""
        step = self.start(asker).next
        return self.with_summary(step, asker.groups) if step else None

    def complete(self, asker: Asker, number: int) -> Progress:
        """Mark the step with `onboarding: number` as done (again is harmless); ValueError if it is not
        on this person's path."""
        progress = self.start(asker)
        same = [s for s in progress.steps if s.step.number == number]  # two documents may share an N
        state = next((s for s in same if not s.done), same[0] if same else None)
        if state is None:
            raise ValueError(f"Schritt {number} gibt es auf Ihrem Onboarding-Pfad nicht.")
        pseudonym, now = self.core.interactions.pseudonym(asker.user_id), stamp(self.clock())
        self.db["onboarding_steps"].upsert({"pseudonym": pseudonym, "document": state.step.document, "done_at": now},
                                           pk=("pseudonym", "document"))
        self.db["onboarding"].update(pseudonym, {"last_step_at": now})
        return self._finish_if_done(asker)

    def _finish_if_done(self, asker: Asker) -> Progress:
        progress = self.progress(asker)
        pseudonym = self.core.interactions.pseudonym(asker.user_id)
        finished = stamp(self.clock()) if progress.finished else None
        row = self._row(asker.user_id)
        if row is not None and bool(row["finished_at"]) != progress.finished:
            self.db["onboarding"].update(pseudonym, {"finished_at": finished})
        return progress

    def is_new(self, user_id: int | str) -> bool:
        """Records the visit; True for someone the bot has never seen and who has not started the path."""
        new = self.core.interactions.seen(user_id)
        return new and self._row(user_id) is None

    # -- everyone (for admins) ---------------------------------------------------------------------
    def overview(self, viewer_groups: Iterable[str] = ()) -> OnboardingOverview:
        """Started, finished, how many are at which step, and who has been stuck for too long.

        Each person's path is built with the groups the configuration gives them (people it does
        not name, such as terminal users, count with the public path). A restricted step's title
        is shown only to a viewer in one of its groups; others see its position and the counts."""
        limit, viewer = self.settings.stuck_after_days, frozenset(viewer_groups)
        overview = OnboardingOverview(stuck_after_days=limit)
        now, paths, counts = self.clock(), {}, {}
        member_groups = self._groups_by_pseudonym()
        for row in self.db["onboarding"].rows:
            department, groups = row["department"], member_groups.get(row["pseudonym"], frozenset())
            steps = paths.setdefault((department, groups), self.steps(groups, department))
            progress = self._progress(steps, self._done(row["pseudonym"]), department, True)
            overview.started += 1
            if progress.finished or progress.next is None:
                overview.finished += 1
                continue
            step = progress.next
            label = step.label if not step.access or step.access & viewer else f"{step.position}. {RESTRICTED_STEP}"
            counts[label] = counts.get(label, 0) + 1
            idle = now - (parse_stamp(row["last_step_at"]) or now)
            if idle > timedelta(days=limit):
                overview.stuck.append(StuckPerson(row["pseudonym"][:6], label, idle.days))
        overview.at_step = sorted(counts.items())
        overview.stuck.sort(key=lambda s: -s.days)
        return overview

    def _groups_by_pseudonym(self) -> dict[str, frozenset[str]]:
        config, interactions = self.core.config, self.core.interactions
        members = {user_id for ids in config.groups.values() for user_id in ids}
        return {interactions.pseudonym(user_id): frozenset(config.groups_of(user_id)) for user_id in members}


def _step_number(value: object) -> int | None:
    """`onboarding: 3` (or "3") → 3; anything else (true, "ja", missing) is not a step."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None

