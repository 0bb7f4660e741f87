"""Usage of the bot as plain German text (for /status; plain so `lotse stats` could reuse it)."""
from __future__ import annotations

from textwrap import shorten

from .interactions import UsageStats
from .reports import format_number


def usage_report(usage: UsageStats, question_width: int = 120) -> str:
    """Questions per day, share answered, 👍/👎 and the most frequent unanswered questions."""
    lines = [
        f"Fragen insgesamt: {usage.total} · beantwortet: {format_number(usage.answered_share * 100, 0)} %",
        f"Feedback: {usage.thumbs_up} × 👍 · {usage.thumbs_down} × 👎",
    ]
    if usage.questions_per_day:
        lines.append("Fragen pro Tag (neueste zuerst):")
        lines.extend(f"  {day}: {count}" for day, count in usage.questions_per_day)
    else:
        lines.append("Noch keine Fragen gestellt.")
    if usage.top_unanswered:
        lines.append("Häufigste offene Fragen (unbeantwortet oder 👎):")
        lines.extend(
            f"  {count} × {shorten(question, width=question_width, placeholder=' …')}"
            for question, count in usage.top_unanswered
        )
    return "\n".join(lines)
