"""Office and IT words German city staff use for one another, built into every search.

Staff ask about "2FA" where the documents say "MFA", about the "Krankmeldung" where they say
"Arbeitsunfähigkeitsbescheinigung". These pairs hold in any city administration, so a knowledge
base need not list them in its glossary; they expand a question both ways like glossary entries.
A site's own `[search.synonyms]` add to them (and replace an entry of the same name). In a
question for a number to call, "Nummer" is the phone list's "Durchwahl" (`phone_words`).
"""
from __future__ import annotations

import re
from typing import Callable

from .analysis import Analyzer
from .question_form import PHONE_QUESTION

COMMON_SYNONYMS: dict[str, list[str]] = {
    "2FA": ["MFA", "Zwei-Faktor-Authentifizierung"],
    "BYOD": ["private Geräte", "Bring Your Own Device"],
    "Homeoffice": ["mobiles Arbeiten", "mobile Arbeit"],
    "Handy": ["Smartphone", "Mobiltelefon"],
    "Bürgerbüro": ["Bürgerservice", "Bürgeramt"],
    "Krankmeldung": ["Arbeitsunfähigkeitsbescheinigung", "AU"],
    "Kennwort": ["Passwort"],
    # Flexitime as staff count it, and as a service agreement words it.
    "Plusstunden": ["Gleitzeitguthaben", "Zeitguthaben"],
    "Überstunden": ["Gleitzeitguthaben", "Zeitguthaben"],
    "Minusstunden": ["Zeitschuld"],
    # An event staff travel to, and what they apply for to go there.
    "Konferenz": ["Dienstreise", "Fortbildung"],
    "Tagung": ["Dienstreise", "Fortbildung"],
    "Kongress": ["Dienstreise", "Fortbildung"],
    "Seminar": ["Fortbildung"],
    # What happened, as staff tell it, and the noun a procedure's heading uses ("Verlust, Diebstahl, Defekt").
    "gestohlen": ["Diebstahl"],
    "geklaut": ["Diebstahl"],
    "verloren": ["Verlust"],
    "kaputt": ["Defekt"],
    "gesprungen": ["Defekt"],
    "zerbrochen": ["Defekt"],
    "beschädigt": ["Defekt"],
    "stolen": ["Diebstahl"],
    "lost": ["Verlust"],
    "broken": ["Defekt"],
    # The AI assistants staff name, and what the rules call them.
    "ChatGPT": ["KI-Werkzeug"],
    "Copilot": ["KI-Werkzeug"],
    "Gemini": ["KI-Werkzeug"],
    "KI-Tool": ["KI-Werkzeug"],
    # What staff notice, and what an information-security rule calls it.
    "Phishing": ["Sicherheitsvorfall"],
    "Schadsoftware": ["Sicherheitsvorfall"],
    "Trojaner": ["Sicherheitsvorfall"],
    "gehackt": ["Sicherheitsvorfall"],
    "malware": ["Sicherheitsvorfall"],
    "hacked": ["Sicherheitsvorfall"],
}

# What a phone list calls a number, most specific first.
PHONE_WORDS = ("Durchwahl", "Telefonnummer", "Rufnummer", "Telefon", "Nummer")
# A number to call: "Nummer" alone may be any number ("die Nummer der Drucksache").
CALL_QUESTION = re.compile(r"\b(durchwahl|telefon\w*|rufnummer|erreich\w*|anrufen|anzurufen|extension|phone number|call)\b"
                           r"|\bruf\w*\s+(?:ich|wir|man)\b[^?,]*\ban\b", re.I)  # "Wen rufe ich wegen … an?"


def phone_words(question: str, analyzer: Analyzer, visible: Callable[[str], bool]) -> dict[str, str]:
    """In a question for a number to call, "Nummer" or "extension" means what the phone list calls
    it ("Durchwahl"), not the thesaurus' "Zahl": term the index lacks → the phone word it holds."""
    if not CALL_QUESTION.search(question):
        return {}
    asked = {t for word in PHONE_QUESTION.findall(question) for t in analyzer.terms(word)}
    known = [t for word in PHONE_WORDS for t in analyzer.terms(word) if visible(t)]
    return {term: known[0] for term in asked if known and not visible(term)}
