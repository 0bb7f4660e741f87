"""The onboarding path as plain German text, shared by every front (HTML fronts escape it), and the
dialogue by typed commands for fronts without buttons (terminal, Matrix)."""
from __future__ import annotations

from .core import Asker
from .onboarding import Onboarding, OnboardingOverview, Progress, Step

INTRO = "Neu in der SCIU? Der Onboarding-Pfad führt Sie Schritt für Schritt durch Ihre ersten Tage."
NO_PATH = "Zurzeit gibt es keinen Onboarding-Pfad in der Wissensbasis."
FINISHED = ("🎉 Geschafft – Sie haben alle Schritte des Onboarding-Pfads erledigt! "
            "Fragen können Sie mir natürlich jederzeit weiter stellen.")


def path_text(progress: Progress) -> str:
    """The whole path with each step's state, e.g. "✅ 1. Willkommen" / "▶ 2. Zugänge"."""
    if not progress.steps:
        return NO_PATH
    area = f" – Bereich {progress.department}" if progress.department else ""
    lines = [f"🧭 Ihr Onboarding-Pfad{area} ({progress.done} von {progress.total} erledigt)"]
    lines += [f"{s.symbol} {s.step.label}" for s in progress.steps]
    if progress.finished:
        lines.append("\n" + FINISHED)
    return "\n".join(lines)


def step_heading(step: Step, progress: Progress) -> str:
    """A step's heading, e.g. "Schritt 2 von 6: Zugänge" (fronts may set it bold)."""
    return f"Schritt {step.position} von {progress.total}: {step.title}"


def step_body(step: Step) -> list[str]:
    """A step's paragraphs under its heading: the summary from the document and where to read it."""
    return [*([step.summary] if step.summary else []), f"📄 Vollständig lesen: {step.location}"]


def step_text(step: Step, progress: Progress) -> str:
    """One step as plain text: heading, summary and where to read it in full."""
    return "\n\n".join([step_heading(step, progress), *step_body(step)])


def done_text(number: int, progress: Progress) -> str:
    """Confirmation after "Erledigt" for the step with `onboarding: number`, by its position on the path."""
    position = next((s.step.position for s in progress.steps if s.step.number == number), number)
    return f"✅ Schritt {position} erledigt ({progress.done} von {progress.total})."


def overview_text(overview: OnboardingOverview) -> str:
    """For admins: started, finished, who is at which step, who is stuck (pseudonyms only)."""
    if not overview.started:
        return "Noch niemand hat das Onboarding begonnen."
    lines = [f"Begonnen: {overview.started} · abgeschlossen: {overview.finished} · "
             f"hängen seit über {overview.stuck_after_days} Tagen: {len(overview.stuck)}"]
    lines += [f"  bei Schritt {label}: {count}" for label, count in overview.at_step]
    lines += [f"  ⏳ Person {s.person} bei Schritt {s.step}, seit {s.days} Tagen" for s in overview.stuck]
    return "\n".join(lines)


def onboarding_reply(onboarding: Onboarding, asker: Asker, words: list[str], prefix: str) -> str:
    """The answer to a typed onboarding command: `onboarding [Bereich-Nummer]` (the path), `weiter`
    (the next step), `erledigt` (tick it off); `prefix` is how the front writes commands ("/", "!")."""
    departments = onboarding.departments(asker.groups)
    if words[0] == "erledigt":
        progress = onboarding.progress(asker)
        if progress.next is None:
            return path_text(progress)
        number = progress.next.number
        done = done_text(number, onboarding.complete(asker, number))
        return done + "\n\n" + onboarding_reply(onboarding, asker, ["weiter"], prefix)
    if words[0] == "weiter":
        step = onboarding.next_step(asker)
        progress = onboarding.progress(asker)
        if step is None:
            return path_text(progress)
        return step_text(step, progress) + f"\n\nErledigt? Dann {prefix}erledigt eingeben."
    if len(words) > 1 and words[1].isdigit() and int(words[1]) <= len(departments):
        choice = int(words[1])
        progress = onboarding.choose_department(asker, departments[choice - 1] if choice else None)
    else:
        progress = onboarding.start(asker)
    text = path_text(progress)
    if departments:
        choices = ", ".join(f"{prefix}onboarding {n} – {name}" for n, name in enumerate(departments, start=1))
        text += f"\n\nBereich wählen: {choices} ({prefix}onboarding 0 – nur die allgemeinen Schritte)"
    return text + ("" if progress.finished else f"\n\nNächster Schritt: {prefix}weiter")
