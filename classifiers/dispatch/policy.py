"""Default routing policy: which catalogue matters are proposed for transfer (12345/110 linkage,
综治), which mean "duties unclear", the language cues for emergencies and for the county seat vs the
countryside, and the fusion weights. Every value can be overridden through the router's settings."""

from __future__ import annotations

import re

# matters proposed for transfer, by target; matters missing from a county's catalogue are ignored
DEFAULT_TRANSFERS: dict[str, tuple[str, ...]] = {
    "110": ("正在发生的违法犯罪和治安警情", "电信网络诈骗", "道路交通事故", "赌博、涉黄、涉毒线索",
            "人员走失与紧急求助", "家庭暴力", "非法集资与传销线索", "危险物品与管制刀具"),
    "综治": ("邻里纠纷", "土地权属与山林界址纠纷", "复杂矛盾纠纷联合调处"),
}
# lines that mean "no unit will take it": the outcome is escalation to the county government
DEFAULT_DISPUTE_MATTERS: tuple[str, ...] = ("职责不清与派单争议事项",)
DEFAULT_ESCALATION_UNIT = "xzfb"

# an emergency in progress: weapons, violence, a call for help now
EMERGENCY_CUES = re.compile(
    r"快点?来人|快来|快(?:喊|叫|派)人|救命|拿[起着]?(?:把)?(?:菜)?刀|持刀|砍人|捅人|追着?打|正在打|打起来了|打得头破|流血|"
    r"现在还在(?:闹|打|追|砍|砸)|刚刚被|刚才被|抢了|被抢|撞了人|撞倒|逃逸")
# units declining the matter, one pointing at another: the "duties unclear" line gains weight
DISPUTE_CUES = re.compile(
    r"推来推去|踢来踢去|推过来推过去|互相推|相互推|踢皮球|扯皮|不归(?:他|她|我们|他们|自己)?管|"
    r"都说不是(?:他|他们|自己)?的|都说管不了|说找[^，。,]{1,8}[，,]?[^，。,]{0,8}说找|没有?人牵头|都不牵头|哪个都不管")
RURAL_CUES = re.compile(r"村里|组里|村上|组上|我们村|我们组|村民|村口|村部|村委|村干部|乡里|山里|屋场")
URBAN_LINE = re.compile(r"县城|城区|城镇")
RURAL_LINE = re.compile(r"农村|乡道|村道|村级|村民|通组路|入户路|集镇|村务|宅基地")

DEFAULT_WEIGHTS: dict[str, float] = {
    "keyword": 0.5,  # keyword hits on the catalogue line (squashed)
    "bm25": 0.3,  # BM25 on the line's matter and keywords (share of the best)
    "dense": 0.3,  # embedding similarity to the line (z-scored over lines)
    "unit_dense": 0.1,  # embedding similarity to the lead unit's duties (z-scored)
    "unit_keyword": 0.3,  # hits on the lead unit's own keywords (squashed)
    "keyword_scale": 3.0,  # squashing scale of keyword sums
    "scope": 1.0,  # penalty for a 县城 line in the countryside and a rural line in the county seat (by cue words)
    "scope_place": 3.0,  # the same when the gazetteer placed the event (a village, a township): out of scope
    "emergency": 0.8,  # bonus for 110 lines when the appeal describes an emergency in progress
    "dispute": 0.8,  # bonus for the "duties unclear" lines when units are said to decline the matter
    "temperature": 0.35,  # softmax temperature turning fused scores into probabilities
    "lexical_temperature": 0.15,  # the same without embeddings (scores spread less)
}
