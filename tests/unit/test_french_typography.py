"""French typography in the interface (issue 20): a narrow no-break space (U+202F) before ':', ';', '!' and
'?', never an ordinary space (the line could break before the sign) nor none ("Votre résultat : ...")."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

FRENCH = Path(__file__).resolve().parents[2] / "learnhub" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
WRONG = re.compile(r"(?:[ \u00a0\t]|(?<![\s\u202f]))[:;!?](?=\s|$)|[ \u00a0][:;!?]")


def misplaced(texts) -> list[str]:
    return [text for text in texts if WRONG.search(text)]


def french_texts() -> list[str]:
    with FRENCH.open("rb") as source:
        catalog = read_po(source, locale="fr")
    texts = []
    for message in catalog:
        if message.id:
            texts.extend(message.string if isinstance(message.string, tuple) else [message.string])
    return [text for text in texts if text]


def test_the_french_catalogue_puts_a_narrow_no_break_space_before_double_signs():
    assert misplaced(french_texts()) == []


def test_the_check_finds_each_wrong_form():
    assert misplaced(["Score : 5", "Score\u00a0: 5", "Score: 5", "Vraiment ?", "Score\u202f: 5", "https://x.org",
                      "%(path)s:%(line)d", "Prêt\u202f?"]) == ["Score : 5", "Score\u00a0: 5", "Score: 5", "Vraiment ?"]
