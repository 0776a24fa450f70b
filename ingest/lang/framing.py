"""Conversational framing around a question: what a chat message says besides what it asks.

People typing into a chat widget wrap their question in courtesies and turn-taking ("ok cảm
ơn.", "cho mình hỏi", "tiện hỏi luôn,", "hỏi chuyện khác chút:", "mà khoan,", "bạn ơi"). None
of it names what is asked, yet read as part of the question it counts as words the documents
lack, and a question every word of which the document holds reads as one it only half holds.
The framing is taken off the front of the message (repeatedly: "ok cảm ơn. Cho mình hỏi …"),
never from inside it, and never the words a follow-up is made of ("còn …", "thế còn …").

Matched on the accent-folded text, so "tien hoi luon," goes as "tiện hỏi luôn," does; a lone
interjection ("ok", "dạ", "vâng", "ừ") goes only when punctuation closes it, since folded
"da" is also "đã".

>>> strip_framing("ok cảm ơn. Còn quyết định 1074 thì sao?")
'Còn quyết định 1074 thì sao?'
>>> strip_framing("tiện hỏi luôn, nghị định 32/2024 có hiệu lực từ ngày nào thế?")
'nghị định 32/2024 có hiệu lực từ ngày nào thế?'
>>> strip_framing("Cho mình hỏi đơn vị nào chủ trì?")
'đơn vị nào chủ trì?'
>>> strip_framing("Cho biết đơn vị nào chủ trì?")
'Cho biết đơn vị nào chủ trì?'
"""
from __future__ import annotations

import re

from ingest.lang.normalize import fold_accents

_PERSON = r"(?:minh|toi|em|to|chau|tui|tao|anh|chi)"
_SOFTENERS = r"(?:\s+(?:them|luon|chut|ti|xiu|voi|nhe|nha|mot chut|mot ti|cai))*"
_FRAMES = [
    # Courtesies and acknowledgements, closed by punctuation.
    r"(?:ok|oke|okay|ok roi|u|uh|uhm|vang|da|o|a|ah|a ha|duoc roi|roi)\s*[,.!]+",
    r"(?:(?:ok|oke|okay|u|uh|vang|da|a|o)\s+)?(?:cam on|thanks|thank you|tks)(?:\s+(?:ban|nhe|nha|nhieu|a|ad|admin))*"
    r"\s*[,.!]+",
    # Asking to ask: "cho mình hỏi", "xin hỏi", "tiện hỏi luôn", "hỏi chuyện khác chút".
    rf"(?:xin\s+)?(?:cho|de)\s+{_PERSON}\s+hoi{_SOFTENERS}\s*[,:.]?",
    rf"xin\s+hoi{_SOFTENERS}\s*[,:.]?",
    rf"(?:tien|nhan tien|tien day)\s+(?:{_PERSON}\s+)?hoi{_SOFTENERS}\s*[,:.]?",
    rf"(?:{_PERSON}\s+)?hoi\s+(?:chuyen|viec|cai|cau|van de)\s+khac{_SOFTENERS}\s*[,:.]?",
    # Hesitation and address: "mà khoan,", "à mà", "bạn ơi", "ad ơi".
    r"(?:ma|nhung|a|o)\s+khoan(?:\s+da)?\s*[,:.!]?",
    r"(?:ban|ad|admin|bot|anh|chi|em)\s+oi\s*[,:.!]?",
]
_FRAME = re.compile(r"^\s*(?:" + "|".join(_FRAMES) + r")\s*", re.I)


def strip_framing(message: str) -> str:
    """``message`` without the conversational framing in front of its question; the message
    itself when nothing would be left."""
    text = message
    while True:
        m = _FRAME.match(fold_accents(text).lower())
        if not m or m.end() >= len(text.rstrip(" ?.!")):
            return text
        text = text[m.end():]
