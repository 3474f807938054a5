"""Filter words with a meaning of their own, for the panes' `/` filter and `comfytui ls --filter`.

`@staging` (deployments): that environment; `/txt2img`: deployments of that name, or runs of
that deployment; a run status word (`failed`, `running`, ...): runs in that status. Every other
word matches as text (the caller's haystack). No Textual: the panes and the CLI share it.
"""

from __future__ import annotations

from typing import Any

from comfytui.models import RunStatus

STATUS_WORDS = frozenset(s.value for s in RunStatus)


def word_matches(
    kind: str, item: Any, word: str, deployment_name: str | None = None
) -> bool | None:
    """Whether `item` (of `kind`: "deployments", "runs", ...) matches the case-folded `word`
    exactly; None when the word has no special meaning for that kind (match it as text).
    `deployment_name` is a run's deployment name as the caller shows it."""
    if kind == "deployments":
        if word.startswith("@") and len(word) > 1:
            return (item.environment or "").casefold() == word[1:]
        if word.startswith("/") and len(word) > 1:
            return (item.name or "").casefold() == word[1:]
    elif kind == "runs":
        if word.startswith("/") and len(word) > 1:
            return (deployment_name or "").casefold() == word[1:]
        if word in STATUS_WORDS:
            return str(getattr(item.status, "value", item.status)).casefold() == word
    return None


def query_matches(
    kind: str, item: Any, query: str, text: str, deployment_name: str | None = None
) -> bool:
    """Every word of `query` (any case) matches: exactly when special, else inside `text`."""
    hay = text.casefold()
    for word in query.casefold().split():
        exact = word_matches(kind, item, word, deployment_name)
        if exact is False or (exact is None and word not in hay):
            return False
    return True
