"""The pseudo-language ``qps``: English with accented letters, each text wrapped as ``⟦…⟧``.

Not a language anyone reads: an edition in it shows at a glance any word that escaped
translation (it is not wrapped) and whether accented letters survive every file. The
code ``qps`` is from ISO 639's range for local use (qaa–qtz), as Microsoft's pseudo-locales.
"""

from __future__ import annotations

import re

PSEUDO = "qps"
OPEN, CLOSE = "⟦", "⟧"  # not [[…]]: a text may hold brackets of its own ("[date]")
# Welsh letters among them (ŵ, ŷ, â), so that they are proved to survive wherever text goes.
_ACCENTS = str.maketrans("aeiouwyAEIOUWYcnsz", "âéîöûŵŷÂÉÎÖÛŴŶçñšž")
# Kept as they are: placeholders ({name}, {{ name }}, {% … %}, %(name)s), markup and entities.
_KEPT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{[a-z_0-9]*\}|%\([a-z_0-9]+\)s|%%|<[^>]*>|&[a-z]+;|&#[0-9]+;|\*\*",
                   re.DOTALL)


def is_pseudo(language: str) -> bool:
    return language == PSEUDO


def pseudo(text: str) -> str:
    """``text`` in the pseudo-language: its letters accented outside placeholders, wrapped."""
    if not any(ch.isalpha() for ch in _KEPT.sub("", text)):
        return text  # numbers and placeholders alone ("10", "{{ course }}") are the same in every language
    out, last = [], 0
    for match in _KEPT.finditer(text):
        out.append(text[last:match.start()].translate(_ACCENTS))
        out.append(match.group(0))
        last = match.end()
    out.append(text[last:].translate(_ACCENTS))
    body = "".join(out)
    lead = len(body) - len(body.lstrip())
    trail = len(body.rstrip())
    return body[:lead] + OPEN + body[lead:trail] + CLOSE + body[trail:]
