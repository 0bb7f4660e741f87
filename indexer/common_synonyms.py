"""Office and IT words German city staff use for one another, built into every search.

Staff ask about "2FA" where the documents say "MFA", about the "Krankmeldung" where they say
"Arbeitsunfähigkeitsbescheinigung". These pairs hold in any city administration, so a knowledge
base need not list them in its glossary; they expand a question both ways like glossary entries.
A site's own `[search.synonyms]` add to them (and replace an entry of the same name).
"""
from __future__ import annotations

COMMON_SYNONYMS: dict[str, list[str]] = {
    "2FA": ["MFA", "Zwei-Faktor-Authentifizierung"],
    "BYOD": ["private Geräte", "Bring Your Own Device"],
    "Homeoffice": ["mobiles Arbeiten", "mobile Arbeit"],
    "Handy": ["Smartphone", "Mobiltelefon"],
    "Bürgerbüro": ["Bürgerservice", "Bürgeramt"],
    "Krankmeldung": ["Arbeitsunfähigkeitsbescheinigung", "AU"],
    "Kennwort": ["Passwort"],
}
