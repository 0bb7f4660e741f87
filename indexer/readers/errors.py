"""The one error readers raise: the file is skipped and the reason goes into the run report."""


class UnreadableDocument(Exception):
    """A file that cannot be indexed; str(error) is a one-line German reason."""
