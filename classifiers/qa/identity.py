"""How a person is identified without their full name: surname and a kinship or courtesy term (田大姐,
向师傅, 老田, 田家, 姓田的), or the last digits of their phone number.

A confidential caller is revealed to a third party as surely by “你们村三组的田大姐反映” as by the full
name on the ticket. The caller's surname comes from the ticket (田某, 田女士) or from the caller's own
words (我姓田). A vocative — the term alone in its clause, “田大姐，村里下午去看” — addresses the caller
and reveals nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable

# kinship and courtesy terms that follow a surname in speech (恩施/黔南 forms included)
TERMS = (
    "大姐|大哥|大爷|大妈|大婶|大叔|大伯|师傅|老师|阿姨|婆婆|爹爹|嬢嬢|孃孃|娘娘|奶奶|爷爷|老汉|老头|老太|"
    "幺妹|幺爸|女士|先生|老板|医生|姐|哥|叔|婶|伯|嫂|妹|家|姓"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SELF = re.compile(r"我姓([\u4e00-\u9fff])|我叫([\u4e00-\u9fff])[\u4e00-\u9fff]{1,2}")
_NOT_NAME = "某先生女士师傅同志老小"
_CLAUSE = "，。！？；,.!?;…"


def surname(name: str) -> str:
    """The surname of a ticket's caller name (田某 → 田, 向师傅 → 向, 老田 → 田); "" if none."""
    core = name.strip()
    if core[:1] in "老小" and len(core) == 2:
        core = core[1:]
    return core[0] if core and _CJK.match(core[0]) and core[0] not in _NOT_NAME else ""


def caller_surnames(ticket_name: str, caller_texts: Iterable[str]) -> set[str]:
    """Surnames the caller is known by: the ticket's name and what the caller said (我姓田, 我叫田秀英)."""
    out = {surname(ticket_name)} - {""}
    for text in caller_texts:
        for m in _SELF.finditer(text):
            out.add(m.group(1) or m.group(2))
    return out


def name_spans(s: str, surnames: set[str]) -> list[tuple[int, int]]:
    """Spans of ``s`` that name a person by one of ``surnames`` (not as a vocative)."""
    if not surnames:
        return []
    alt = "|".join(map(re.escape, sorted(surnames)))
    pattern = re.compile(f"(?:姓(?:{alt}))|(?:老|小)(?:{alt})|(?:老|小)?(?:{alt})(?:{TERMS})")
    out = []
    for m in pattern.finditer(s):
        before = s[: m.start()].rstrip()
        clause_start = not before or before[-1] in _CLAUSE
        clause_end = m.end() >= len(s) or s[m.end()] in _CLAUSE
        if clause_start and clause_end:
            continue  # 田大姐，…: the agent is talking to the caller
        out.append((m.start(), m.end()))
    return out


def tail_of(numbers: Iterable[str], digits: str, min_tail: int = 4) -> bool:
    """``digits`` (read out by the agent) is one of ``numbers`` or its last ``min_tail``+ digits."""
    return len(digits) >= min_tail and any(n.endswith(digits) for n in numbers)
