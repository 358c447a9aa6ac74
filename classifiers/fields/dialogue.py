"""Small dialogue cues: what the agent asked, whether the caller said yes or no, corrections."""

from __future__ import annotations

import re

from classifiers.fields.model import Turn

_TOPICS = {
    "name": re.compile(r"贵姓|怎么称呼|称呼您|您的?姓名|名字|您叫什么|先生还是|女士还是|您是哪位"),
    "phone": re.compile(r"(?<!热线)电话|号码|手机|联系方式"),
    "address": re.compile(r"哪里|哪个村|哪个乡|哪个镇|乡镇|什么位置|什么地方|地址|哪一段|在哪|哪个小区|哪个位置|具体位置|哪个组"),
    "time": re.compile(r"什么时候|几点|哪天|哪一天|啥时候|多久|时间|什么时间"),
    "id": re.compile(r"身份证"),
    "confidential": re.compile(r"保密"),
    "callback": re.compile(r"回访|回电话|回个电话|回复您|给您回|打给您"),
}
_THIRD_PARTY_Q = re.compile(
    r"(老人|老板|工头|对方|孩子|他|她|那个人|村干部|商家|物业|公司|医生|司机)(的|家)?(全名|叫什么|名字|姓名|电话|号码|手机)")
_QUESTION = re.compile(r"[？?]|吗|吧|呢|多少|什么|哪|几|是否|可以不|行不|对不对")
_YES_WORDS = re.compile(r"^(?:对|是|没错|对头|可以|好|要得|要|需要|行|得行|中|没问题|嗯对|嗯是|有)")
_NO_WORDS = re.compile(r"^(?:不对|不是|错了|不用|不要|不需要|不必|算了|不了|没必要|用不着|莫|不消|没得必要|不)")
_LEAD = re.compile(r"^[\s，,。.!！…嗯啊哦噢呃额哎诶]*")
CORRECTION = re.compile(r"不对|不是|错了|说错|搞错|记错|重新说|应该是|改一下|哦不")
LIGHT_TAIL = re.compile(r"^[\s，,。.、！!？?…~]*(?:[啊哈呀嘛哦噢呢吧呐])*[\s，,。.、！!？?…~]*$")
LIGHT_LEAD = re.compile(r"^[\s，,。、]*(?:呃|嗯|额|那个|就是|然后|还有|后面是|后面|接着)?[\s，,。、]*$")


def asks(text: str) -> set[str]:
    """Topics an agent utterance asks about (or announces, for callback and confidentiality)."""
    found = {name for name, rx in _TOPICS.items() if rx.search(text)}
    if _THIRD_PARTY_Q.search(text):
        found.add("third_party")
    return found


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text))


def answer(text: str) -> bool | None:
    """Yes (True), no (False) or neither, from the start of a reply."""
    body = _LEAD.sub("", text)
    if not body:
        return True if "嗯" in text else None
    if _NO_WORDS.match(body):
        return False
    if _YES_WORDS.match(body):
        return True
    return None


def previous_agent(turns: list[Turn], index: int) -> int | None:
    """Index of the agent turn just before ``index`` (None if the caller spoke in between or none)."""
    j = index - 1
    if j >= 0 and turns[j].speaker == "agent":
        return j
    return None


def next_caller(turns: list[Turn], index: int) -> int | None:
    for j in range(index + 1, min(len(turns), index + 3)):
        if turns[j].speaker == "caller":
            return j
    return None


_BACKCHANNEL = re.compile(r"^[\s，,。.!！]*(?:嗯+|好的?|您说|请讲|请说|继续说?|对|是|哦|还有呢|然后呢|后面呢)[\s，,。.!！、]*"
                          r"(?:您说|请讲|请说|继续说?|您继续)?[\s，,。.!！]*$")


def is_backchannel(text: str) -> bool:
    return bool(_BACKCHANNEL.match(text))
