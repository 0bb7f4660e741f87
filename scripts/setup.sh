#!/usr/bin/env bash
# Create .venv and install Wissenslotse with its test tools. Safe to run again.
# torch==2.13.0 comes first: it is the CPU build on this machine's disk; any other torch
# would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet torch==2.13.0
.venv/bin/python -m pip install --quiet -e '.[test]'
# German synonyms for paraphrased questions ("Notebook" → "Laptop"): OpenThesaurus from Debian;
# German words for English questions ("licence" → "Lizenz"): FreeDict English–German from Debian.
# Optional: without them the bot works, only without synonyms or translations.
THESAURUS=/usr/share/openthesaurus-de/openthesaurus.txt
DICTIONARY=/usr/share/dictd/freedict-eng-deu.index
if { [ ! -f "$THESAURUS" ] || [ ! -f "$DICTIONARY" ]; } && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    PACKAGES="openthesaurus-de-text dict-freedict-eng-deu"
    apt-get install -y -qq $PACKAGES >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $PACKAGES >/dev/null 2>&1; } \
        || true
fi
[ -f "$THESAURUS" ] || echo "Hinweis: $THESAURUS fehlt (Debian-Paket openthesaurus-de-text); die Suche läuft ohne Synonyme."
[ -f "$DICTIONARY" ] || echo "Hinweis: $DICTIONARY fehlt (Debian-Paket dict-freedict-eng-deu); englische Fragen werden ohne Übersetzungen gesucht."
