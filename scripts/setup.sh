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
# German synonyms for paraphrased questions ("Notebook" → "Laptop"): OpenThesaurus from Debian.
# Optional: without it the bot works, only without synonyms.
THESAURUS=/usr/share/openthesaurus-de/openthesaurus.txt
if [ ! -f "$THESAURUS" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq openthesaurus-de-text >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq openthesaurus-de-text >/dev/null 2>&1; } \
        || true
fi
[ -f "$THESAURUS" ] || echo "Hinweis: $THESAURUS fehlt (Debian-Paket openthesaurus-de-text); die Suche läuft ohne Synonyme."
