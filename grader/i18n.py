"""The catalogue of learner-facing messages.

Every message a learner can see is written in Japanese and wrapped in :func:`_`, so that
``pybabel extract`` collects them into one catalogue and another language can follow from a ``.po``
file in ``grader/locale/<lang>/LC_MESSAGES/eshikaku.po`` (compiled to ``.mo``). Without a compiled
catalogue for the chosen language the Japanese text is shown as written.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "eshikaku"
_translation: gettext.NullTranslations = gettext.NullTranslations()


def set_language(lang: str | None) -> None:
    """Chooses the language of the messages (``ja`` is the built-in one; ``None`` reads ``ESHIKAKU_LANG``)."""
    global _translation
    lang = lang or os.environ.get("ESHIKAKU_LANG") or "ja"
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """The message in the chosen language (format placeholders with ``.format`` after translating)."""
    return _translation.gettext(message)
