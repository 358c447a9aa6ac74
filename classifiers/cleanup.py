"""Text clean-up for the category model: drop the parts of an appeal that carry no category signal.

Citizens' messages share a lot of boilerplate whatever their topic: greetings and thanks
(尊敬的领导您好、谢谢), phone and ID numbers, dates and times, house numbers, anonymised place codes
(A3区、L9县). Left in, their character n-grams let the linear model fit noise; taken out, the
weights go to the words that name the matter. ``clean_for_category`` keeps the text readable (a
removed span becomes one space, every number one ``0``), so n-grams never join across a gap.

``title_part`` is the start of the message: appeals begin with their subject (a title, or the first
sentence), which is weighted apart by the category model.

>>> clean_for_category("尊敬的领导您好：我的电话13800001111，2019年5月3日A3区路灯坏了，谢谢！")
':我的电话 , 路灯坏了, !'
"""

from __future__ import annotations

import re

from classifiers.text import normalize

_PATTERNS = [
    re.compile(r"\d{17}[\dx]|\d{15}"),  # ID numbers (before phones: longer first)
    re.compile(r"(?:\+?86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8}"),  # mobile, landline, short numbers
    re.compile(r"\d{1,4}(?:年|月|日|号|时|点|分)|\d{1,2}:\d{2}(?::\d{2})?"),  # dates and times
    re.compile(r"[a-z]{1,2}\d{0,3}(?:省|市|区|县|镇|乡|村)"),  # anonymised place codes: a3区, l9县, a市
    re.compile(r"(?:尊敬的|敬爱的)?(?:各位|市|县|区)?(?:领导|书记|市长|县长|区长|局长|同志|工作人员)?"
               r"(?:您们好|你们好|您好|你好)"),
    re.compile(r"尊敬的|敬爱的|此致|敬礼|谢谢(?:您|你)?|感谢|万分感激|麻烦(?:您|你)?了?|辛苦了"),
]
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SPACES = re.compile(r"\s+")


def clean_for_category(text: str) -> str:
    """Normalised text without greetings, thanks, phone/ID numbers and place codes; numbers as ``0``."""
    text = normalize(text)
    for pattern in _PATTERNS:
        text = pattern.sub(" ", text)
    text = _NUMBER.sub("0", text)
    return _SPACES.sub(" ", text).strip()


def title_part(text: str, max_chars: int = 40) -> str:
    """The cleaned start of the message (its subject), at most ``max_chars`` characters."""
    return clean_for_category(text)[: max(0, int(max_chars))]
