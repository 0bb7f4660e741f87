"""The terminal chat: the same chat core as Telegram, for a desk without a bot token."""
from __future__ import annotations

import getpass
from typing import Callable, TextIO

from .core import Answer, Asker, ChatCore, QuestionError
from .plain import render_answer, render_sources

WELCOME = (
    "Willkommen beim Wissenslotsen der Smart City Innovation Unit Bochum!\n"
    "Stellen Sie Ihre Frage auf Deutsch. Befehle: /quellen (alle Quellen der letzten Antwort), "
    "+ oder - (Antwort hilfreich / nicht hilfreich), /hilfe, /ende."
)
HELP = (
    "So fragen Sie: einfach eine ganze Frage eingeben, z. B. „Wie beantrage ich ein Diensthandy?“\n"
    "/quellen – alle Quellen der letzten Antwort · + / - – Rückmeldung · /ende – Chat beenden"
)


class TerminalChat:
    """A read–answer loop over any text streams (a terminal, a pipe, a test's pseudo-terminal)."""

    def __init__(self, core: ChatCore, asker: Asker | None = None, write: Callable[[str], None] = print):
        self.core = core
        self.asker = asker or Asker(user_id=f"terminal:{getpass.getuser()}", channel="terminal")
        self.write = write
        self.last: Answer | None = None

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
            self.write(render_sources(self.last) if self.last else "Es gibt noch keine Antwort.")
        elif command in {"+", "-", "👍", "👎"}:
            if self.last is None or self.last.question_id is None:
                self.write("Es gibt noch keine Antwort, die Sie bewerten könnten.")
            else:
                self.core.feedback(self.last.question_id, self.asker, positive=command in {"+", "👍"})
                self.write("Danke für Ihre Rückmeldung!")
        else:
            try:
                self.last = self.core.ask(text, self.asker)
            except QuestionError as error:
                self.write(str(error))
                return True
            self.write(render_answer(self.last))
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
