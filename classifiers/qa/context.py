"""What every check sees: the call with its turns folded once, the compiled word lists, and the
result type a check returns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from classifiers.qa.errors import InvalidRubric
from classifiers.qa.model import Evidence, QaCall, Turn
from classifiers.qa.text import (
    NO_WORDS,
    Folded,
    Phrase,
    Words,
    compile_phrases,
    dialect_words,
    fold,
    fold_str,
)

PHRASE_LISTS = (
    "opening_greeting",
    "opening_service",
    "closing",
    "caller_dropped",
    "forbidden",
    "quote_frames",
    "hold_notice",
    "caller_hold",
    "caller_hangup",
    "appeal_complaint",
    "appeal_not_complaint",
    "phone_refused",
    "caller_anger",
    "agent_impatience",
    "abuse",
    "promise_commit",
    "promise_negated",
    "promise_outcome",
    "promise_process_ok",
    "reporter_question",
    "reveal_cue",
    "reveal_refusal",
    "confidential_request",
    "deflection",
    "help_offer",
    "promise_timed",
    "reveal_direct",
    "caller_protest",
    "abuse_suspect",
    "promise_suspect",
    "reported_party",
    "reporter_question_weak",
    "abuse_third_party",
    "promise_guarantee",
    "promise_instruction",
    "promise_liability",
    "reporter_question_waived",
    "caller_back",
    "promise_stake",
)


@dataclass(frozen=True)
class Lexicon:
    phrases: Mapping[str, tuple[Phrase, ...]]
    backchannel: re.Pattern[str]
    quote_marks: frozenset[str]
    unit_aliases: Mapping[str, str]
    unit_prefixes: tuple[str, ...]
    kb_conflicts: tuple[tuple[tuple[Phrase, ...], tuple[Phrase, ...], str], ...]
    always_ok_numbers: frozenset[str]
    words: Words = NO_WORDS

    def fold(self, text: str) -> Folded:
        return fold(text, self.words)

    def __getitem__(self, name: str) -> tuple[Phrase, ...]:
        return self.phrases[name]


def _strings(lists: Mapping[str, Any], name: str) -> list[Any]:
    value = lists.get(name)
    if not isinstance(value, list):
        raise InvalidRubric(f"质检词表缺少“{name}”或它不是列表")
    return value


def _fuzzy_lists(lists: Mapping[str, Any]) -> set[str]:
    value = lists.get("fuzzy") or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidRubric("质检词表“fuzzy”应为词表名列表")
    unknown = sorted(set(value) - set(PHRASE_LISTS))
    if unknown:
        raise InvalidRubric(f"质检词表“fuzzy”中有不认识的词表：{'、'.join(unknown)}")
    return set(value)


def compile_lexicon(lists: Mapping[str, Any]) -> Lexicon:
    words = dialect_words(lists.get("dialect"))
    fuzzy = _fuzzy_lists(lists)
    phrases = {
        name: compile_phrases(_strings(lists, name), name, words, fuzzy=name in fuzzy)
        for name in PHRASE_LISTS
    }
    tokens = sorted(
        {fold_str(t, words) for t in _strings(lists, "backchannel") if isinstance(t, str) and t},
        key=len,
        reverse=True,
    )
    backchannel = re.compile("^(?:" + "|".join(map(re.escape, tokens)) + r"|[\W_])+$" if tokens else r"^\W*$")
    aliases = lists.get("unit_aliases") or {}
    if not isinstance(aliases, Mapping):
        raise InvalidRubric("质检词表“unit_aliases”应为对象（简称 → 全称）")
    conflicts = []
    for i, entry in enumerate(lists.get("kb_conflicts") or []):
        if (
            not isinstance(entry, Mapping)
            or not isinstance(entry.get("kb"), list)
            or not isinstance(entry.get("agent"), list)
        ):
            raise InvalidRubric(f"质检词表“kb_conflicts”第{i + 1}项应有 kb 和 agent 两个列表")
        conflicts.append(
            (
                compile_phrases(entry["kb"], "kb_conflicts", words),
                compile_phrases(entry["agent"], "kb_conflicts", words),
                str(entry.get("note") or "答复与知识库说法相反"),
            )
        )
    return Lexicon(
        phrases,
        backchannel,
        frozenset(_strings(lists, "quote_marks")),
        {fold_str(k): fold_str(str(v)) for k, v in aliases.items()},
        tuple(fold_str(p) for p in _strings(lists, "unit_prefixes")),
        tuple(conflicts),
        frozenset(str(x) for x in lists.get("kb_hotlines_always_ok") or []),
        words,
    )


@dataclass
class Finding:
    """What one check found; the scorer turns it into an :class:`ItemResult` with the deduction."""

    violated: bool
    confidence: float
    message: str
    evidence: list[Evidence] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    applicable: bool = True
    occurrences: int = 1


def not_applicable(message: str) -> Finding:
    return Finding(False, 1.0, message, applicable=False, occurrences=0)


class CallContext:
    """The call prepared once for all checks."""

    def __init__(
        self,
        call: QaCall,
        lexicon: Lexicon,
        tone: Any = None,
        category: Any = None,
        exemplar: Any = None,
        learned: Any = None,
    ) -> None:
        self.call = call
        self.exemplar = exemplar  # the sentence model for abuse / 禁用语 / promises, or None
        self.learned = learned  # the learned fatal-family model (classifiers.qa.sentences), or None
        self.category = category  # texts -> ranked (label, probability) lists, or None
        self.turns: list[Turn] = list(call.turns)
        self.folded: list[Folded] = [lexicon.fold(t.text) for t in self.turns]
        self.lex = lexicon
        self.tone = tone
        self.order = sorted(range(len(self.turns)), key=lambda i: (self.turns[i].start, self.turns[i].end))

    def of(self, speaker: str) -> list[int]:
        """Indices of one speaker's turns in time order."""
        return [i for i in self.order if self.turns[i].speaker == speaker]

    def ticket(self) -> Mapping[str, Any]:
        return self.call.ticket or {}
