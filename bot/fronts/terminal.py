"""The terminal chat: the same chat core as the messenger fronts, for a desk without a bot token."""
from __future__ import annotations

import getpass
from typing import Callable, TextIO

from indexer import IndexNotReady

from ..core import Asker, ChatCore, QuestionError
from ..onboarding import Onboarding
from ..onboarding_text import onboarding_reply
from .plain import render_answer, render_sources

WELCOME = (
    "Willkommen beim Wissenslotsen der Smart City Innovation Unit Bochum!\n"
    "Stellen Sie Ihre Frage auf Deutsch. Befehle: /quellen (alle Quellen der letzten Antwort), "
    "+ oder - (Antwort hilfreich / nicht hilfreich), /onboarding (Einstieg für Neue), /hilfe, /ende."
)
HELP = (
    "So fragen Sie: einfach eine ganze Frage eingeben, z. B. „Wie beantrage ich ein Diensthandy?“\n"
    "/quellen – alle Quellen der letzten Antwort · + / - – Rückmeldung · /ende – Chat beenden\n"
    "/onboarding – Ihr Onboarding-Pfad · /weiter – nächster Schritt · /erledigt – Schritt abhaken"
)


def terminal_asker(groups: frozenset[str] = frozenset()) -> Asker:
    """The person at this terminal: their login name, and the access groups they claim."""
    return Asker(user_id=f"terminal:{getpass.getuser()}", groups=groups, channel="terminal")


class TerminalChat:
    """A read–answer loop over any text streams (a terminal, a pipe, a test's pseudo-terminal)."""

    def __init__(self, core: ChatCore, asker: Asker | None = None, write: Callable[[str], None] = print,
                 onboarding: Onboarding | None = None):
        self.core = core
        self.asker = asker or terminal_asker()
        self.write = write
        self.onboarding = onboarding or Onboarding(core)

    def handle(self, line: str) -> bool:
        """Answer one input line; returns False when the user wants to leave."""
        text = line.strip()
        if not text:
            return True
        command = text.lower()
        if command in {"/ende", "/exit", "/quit", "exit", "quit"}:
            self.write("Auf Wiedersehen!")
            return False
        if command in {"/hilfe", "/help", "?"}:
            self.write(HELP)
        elif command == "/quellen":
            last = self.core.last_answer(self.asker)
            self.write(render_sources(last) if last else "Es gibt noch keine Antwort.")
        elif command.split()[0] in {"/onboarding", "/weiter", "/erledigt"}:
            try:
                self.write(onboarding_reply(self.onboarding, self.asker, command[1:].split(), "/"))
            except IndexNotReady as error:
                self.write(str(error))
        elif command in {"+", "-", "👍", "👎"}:
            last = self.core.last_answer(self.asker)
            if last is None or last.question_id is None:
                self.write("Es gibt noch keine Antwort, die Sie bewerten könnten.")
            else:
                self.core.feedback(last.question_id, self.asker, positive=command in {"+", "👍"})
                self.write("Danke für Ihre Rückmeldung!")
        else:
            try:
                answer = self.core.ask(text, self.asker)
            except QuestionError as error:
                self.write(str(error))
                return True
            self.write(render_answer(answer))
        return True

    def run(self, stream: TextIO, interactive: bool) -> None:
        """Read questions until end of input or /ende."""
        self.write(WELCOME)
        while True:
            try:
                line = input("\nSie: ") if interactive else stream.readline()
            except (EOFError, KeyboardInterrupt):
                self.write("\nAuf Wiedersehen!")
                return
            if not interactive and line == "":
                return
            if not self.handle(line):
                return
