"""Text scanning for free-text feedback: redaction, theme coding and danger cues.

A pure library (standard library, python-stdnum, phonenumbers and PyYAML; never Django), so
the feedback app, imports, the demo and the command line can all use it.

* `redact(text, names=())` hides Estonian personal codes, IBANs, e-mail addresses, phone
  numbers and names behind markers such as ``[isikukood]`` and ``[telefon]``; it fails safe:
  any run of 7 or more digits that is not otherwise explained is hidden as a phone number.
* `is_valid_isikukood(code)` checks an Estonian personal identification code.
* `themes(text, codebook=None)` tags a text with themes from a codebook of Estonian, Russian
  and English stems (`load_codebook()` reads the default, `themes.yaml`).
* `mentions_danger(text)` says whether a text speaks of immediate danger, for urgent routing.
* `text_tone(text)` gives the tone of a text (positive, negative, mixed or "") from cues.

>>> redact("Helistage mulle 5123 4567, olen Mari.").text
'Helistage mulle [telefon], olen [nimi].'
>>> is_valid_isikukood("49001010001")
True
>>> sorted(themes("Pidin kaua ootama, aga töötaja oli väga abivalmis. Aitäh!"))
['positive_experience', 'staff_attitude', 'waiting_time']
>>> mentions_danger("Ta ähvardas mind tappa ja ma kardan oma elu pärast.")
True
"""

from .danger import mentions_danger
from .identifiers import is_valid_isikukood
from .redaction import MARKERS, Finding, Kind, Redaction, redact
from .sentiment import text_tone
from .themes import DEFAULT_CODEBOOK_PATH, Codebook, CodebookError, load_codebook, themes

__all__ = [
    "DEFAULT_CODEBOOK_PATH",
    "MARKERS",
    "Codebook",
    "CodebookError",
    "Finding",
    "Kind",
    "Redaction",
    "is_valid_isikukood",
    "load_codebook",
    "mentions_danger",
    "redact",
    "text_tone",
    "themes",
]
