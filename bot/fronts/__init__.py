"""The chat fronts: each translates one messenger's events into ChatCore calls and renders the
core's records (Answer, Step, hand-off texts) for it. Adding a front is one module or folder here
plus its config section; nothing in bot/ or indexer/ knows any messenger."""
