"""The caller's name or form of address: 田春梅, 王先生, 张大爷, 老张, or just the surname.

Precedence: what the caller asks to be called ("叫我老张就行") > a full name the caller gives
("我叫…", "本人…", or a bare name in answer to "您的姓名？") > the latest polite form (the agent's
"王先生" or the caller's own "姓唐，唐女士") > a surname alone ("我姓杨"). Names of other people
("老人叫向德福") and forms not addressed to the caller ("下坪卫生院的刘医生") are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.fields import dialogue
from classifiers.fields.model import Span, Turn, span_of

_COMPOUND = ["欧阳", "司马", "诸葛", "上官", "东方", "慕容", "皇甫", "令狐", "尉迟", "公孙", "夏侯", "端木", "长孙", "司徒", "西门", "南宫"]
_SINGLE = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文"
    "牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛"
    "曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏"
    "席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐"
    "冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平"
    "计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇"
    "公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_FORMS = ("先生", "女士", "小姐", "大爷", "大妈", "大娘", "阿姨", "叔叔", "师傅", "老师", "大姐", "大哥", "婆婆",
          "爹爹", "奶奶", "爷爷", "老汉", "嬢嬢", "同志", "老板")
_SURNAME = "(?:" + "|".join(_COMPOUND) + "|[" + _SINGLE + "])"
_FORM = "(?:" + "|".join(_FORMS) + ")"
_STOP = set("的了啊哈呀嘛呢吧是在就电身我你他她这那们哦噢嗯吗不对要想和跟给也都还又从到说打有没个里村镇乡组号")
_HAN = re.compile(r"[\u4e00-\u9fff]")

_ASK_CALL = re.compile(rf"叫我(?P<n>[老小]{_SURNAME})(?:就行|就可以|就好|嘛|吧|[，,。！]|$)")
_FULL = re.compile(rf"(?:我(?:的名字)?[，,]?叫|大名(?:叫|是)?|学名(?:叫|是)?|我的名字是|名字叫|我是|本人|村民|居民|联系人[:：]?|姓名[:：]?)(?P<n>{_SURNAME}[\u4e00-\u9fff]{{1,2}})")
_SURNAME_ONLY = re.compile(rf"(?:^|[，,。！!？?\s]|我|免贵|就|嗯|也)姓(?P<n>{_SURNAME})(?![名氏])")
_SURNAME_THEN_NAME = re.compile(rf"姓(?P<s>{_SURNAME})[，,、\s]*(?:叫)?(?P=s)(?P<g>[\u4e00-\u9fff]{{1,2}})")
_SELF_FORM = re.compile(rf"(?P<n>{_SURNAME}{_FORM})")
_VOC_BEFORE = re.compile(r"(?:^|[，,。！!？?]|好的|嗯|哦|那|请问)[\s，,]*$")
_VOC_AFTER = re.compile(r"^(?:[，,]|您|是吧|吗|还是|对吧|，您|。|？|\?|$)")
_NOT_VOC_BEFORE = re.compile(r"(?:(?<!好)的|个|那|这|位|跟|和|找|叫|还是)$")


@dataclass
class NameGuess:
    value: str
    rank: int  # 4 asked-for form, 3 full name, 2 polite form, 1 surname
    turn: int
    span: Span
    confidence: float


def _given_ok(name: str, surname_len: int) -> str | None:
    """Trim a matched full name at the first stop character; None if nothing is left."""
    given = ""
    for ch in name[surname_len:]:
        if ch in _STOP or not _HAN.match(ch):
            break
        given += ch
    if not given:
        return None
    if given.endswith(("某", "某某")) or len(given) <= 2:
        return name[:surname_len] + given
    return None


def _surname_len(name: str) -> int:
    return 2 if name[:2] in _COMPOUND else 1


def _full_names(turns: list[Turn], i: int, places: frozenset[str]) -> list[NameGuess]:
    text = turns[i].text
    out = []
    for m in _FULL.finditer(text):
        raw = m.group("n")
        sl = _surname_len(raw)
        name = _given_ok(raw, sl)
        if not name:
            continue
        end = m.start("n") + len(name)
        follow = text[end:end + 1]
        if m.group(0).startswith("我是") and follow and follow not in "，,。！!？?啊哈呀":
            continue
        if m.group(0).startswith(("大名", "学名")) and "我叫" not in text[:m.start()]:
            continue  # "叫向老三，大名叫向德福" is the old man's name
        if any(p in raw for p in places) or name[sl:] in _FORMS:
            if name[sl:] in _FORMS:
                out.append(NameGuess(name, 2, i, span_of(turns, i, m.start("n"), end), 0.8))
            continue
        out.append(NameGuess(name, 3, i, span_of(turns, i, m.start("n"), end), 0.9))
    # "我姓胡，叫胡德贵" / "姓马，马永福": the stated surname followed by a full name
    for m in _SURNAME_THEN_NAME.finditer(text):
        sur, given = m.group("s"), m.group("g")
        name = _given_ok(sur + given, len(sur))
        if not name or name[len(sur):] in _FORMS or any(f.startswith(name[len(sur):]) for f in _FORMS):
            continue
        start = m.end() - len(given) - len(sur)
        if text[start + len(name):start + len(name) + 2] == "的" + sur[:1]:  # "符合的符" explains the character
            continue
        out.append(NameGuess(name, 3, i, span_of(turns, i, start, start + len(name)), 0.85))
    return out


def _answer_name(turns: list[Turn], i: int) -> NameGuess | None:
    """A bare name given in answer to "您的姓名？" ("彭建军。")."""
    prev = dialogue.previous_agent(turns, i)
    if prev is None or "name" not in dialogue.asks(turns[prev].text) or "third_party" in dialogue.asks(turns[prev].text):
        return None
    m = re.match(rf"^[\s，,]*(?:呃|嗯)?[\s，,]*(?:叫|是|我是)?(?P<n>{_SURNAME}[\u4e00-\u9fff]{{1,2}})(?:[，,。！!]|$)", turns[i].text)
    if not m:
        return None
    raw = m.group("n")
    sl = _surname_len(raw)
    name = _given_ok(raw, sl)
    if not name or name != raw or raw[sl:] in _FORMS:
        return None
    return NameGuess(name, 3, i, span_of(turns, i, m.start("n"), m.end("n")), 0.8)


def _forms(turns: list[Turn], i: int) -> list[NameGuess]:
    turn = turns[i]
    text = turn.text
    out = []
    prev = dialogue.previous_agent(turns, i)
    asked = prev is not None and "name" in dialogue.asks(turns[prev].text)
    for m in _SELF_FORM.finditer(text):
        before, after = text[:m.start()], text[m.end():]
        if turn.speaker == "agent":
            if _NOT_VOC_BEFORE.search(before) or not (_VOC_BEFORE.search(before) or _VOC_AFTER.match(after)):
                continue
            if "还是" in after[:2]:  # "杨先生还是杨女士？" asks, it does not address
                continue
            conf = 0.75
        else:
            near = before[-6:]
            surname = m.group("n")[: _surname_len(m.group("n"))]
            if not (asked or re.search(r"姓|我是|^\W*$", near) or "姓" + surname in before):
                continue
            if _NOT_VOC_BEFORE.search(before):
                continue
            conf = 0.8
        out.append(NameGuess(m.group("n"), 2, i, span_of(turns, i, m.start(), m.end()), conf))
    return out


def extract_name(turns: list[Turn], places: frozenset[str] = frozenset()) -> NameGuess | None:
    """The best guess of how to address the caller, or None."""
    guesses: list[NameGuess] = []
    for i, turn in enumerate(turns):
        text = turn.text
        if turn.speaker == "caller":
            for m in _ASK_CALL.finditer(text):
                guesses.append(NameGuess(m.group("n"), 4, i, span_of(turns, i, m.start("n"), m.end("n")), 0.85))
            guesses.extend(_full_names(turns, i, places))
            bare = _answer_name(turns, i)
            if bare:
                guesses.append(bare)
            prev = dialogue.previous_agent(turns, i)
            about_other = prev is not None and "third_party" in dialogue.asks(turns[prev].text)
            for m in [] if about_other else _SURNAME_ONLY.finditer(text):
                guesses.append(NameGuess(m.group("n"), 1, i, span_of(turns, i, m.start("n"), m.end("n")), 0.7))
        guesses.extend(_forms(turns, i))
    if not guesses:
        return None
    surnames = [g.value for g in guesses if g.rank == 1]
    if surnames:  # a polite form with another surname is someone else
        guesses = [g for g in guesses if g.rank != 2 or g.value.startswith(surnames[-1]) or g.turn > _last_turn(guesses, 1)]
    best_rank = max(g.rank for g in guesses)
    best = [g for g in guesses if g.rank == best_rank][-1]
    support = sum(1 for g in guesses if g is not best and (g.value.startswith(best.value[:1])))
    best.confidence = min(0.97, best.confidence + 0.03 * support)
    return best


def _last_turn(guesses: list[NameGuess], rank: int) -> int:
    return max((g.turn for g in guesses if g.rank == rank), default=-1)
