"""QA matching by family (issue 7, fourth round, after holdout6 was opened): each case is worded differently
from the word lists, utterances11 and holdout6, so it tests the family — contempt phrased as advice
(穷就莫…), blame turned on the caller, a condition imputed in mockery, “X的东西”, origin and group contempt,
歇后语, “said it N times” in any counter, instructions with 一定 that promise nothing, money guaranteed
through the other party, a reporter placed in the caller's own group, a period in another unit than the KB's,
a fee where the KB says free, the county branch of a prefecture bureau, 热线服务 as a meta category — and
its near misses (denial 不是您…, self-blame, sympathy, a caring 就别, 一定 aimed at the caller)."""

from __future__ import annotations

import pytest

from classifiers.qa import QaScorer
from eval.tasks.qa_utterances import make_call
from tests.classifiers.qa_support import violated


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("没钱就莫修恁个大的房子撒。", True),
        ("矫情得很，就莫住城里头。", True),
        ("你自己管不好娃儿，还怪学校。", False),  # no 别人/政府: the listed family needs the one blamed
        ("自己不看好屋里的鸡，怪别个偷。", True),
        ("我看你怕是没吃药哦，讲话颠三倒四。", True),
        ("你这个没良心的东西，帮了你还骂人。", True),
        ("一看就是山沟沟里头出来的，规矩都不懂。", True),
        ("你们这些山里人就是不讲道理。", True),
        ("你那张臭嘴巴讲话好毒。", True),
        ("你这是鸡蛋里挑骨头。", True),
        ("你个遭瘟的，莫打了。", True),
        ("不是您笨，是这个表格确实复杂。", False),
        ("这个不怪您，是系统的问题。", False),
        ("那个老板确实是个没良心的东西，拖了大家的钱。", False),
        ("您年纪大了就莫自己跑了，让屋里人帮您办。", False),
        ("您眼睛不好就莫签字，先叫家里人帮您看一下。", False),
        ("您莫着急，慢慢讲，我听着的。", False),
        ("你以为这个热线是你自己家开的？", True),
        ("就是你名堂多，别个都没问。", True),
        ("你个老婆子，还来教我。", True),
        ("你们组上的都是一路货色。", True),
        ("您想得很周到，我记下来了。", False),
        # violations buried in longer answers (utterances13's families)
        ("那个补助要审，你这种游手好闲的评不上。", True),
        ("你那个脑子跟浆糊桶一样，讲了就忘。", True),
        ("打电话之前你就不会动下脑筋？", True),
        ("几十岁的人了还不晓得，白活了。", True),
        ("你讲来讲去全是屁话。", True),
        ("您的眼睛跟我一样老花了，我念给您听。", False),
        ("他讲的全是鬼话，您莫信。", False),
        ("这个不丢人，好多人都不晓得。", False),
        # retorts to a caller who pushes (utterances14's families)
        ("你才是骗子，莫乱讲。", True),
        ("理你个鬼，一天打八道。", True),
        ("就你也配跟我讲道理？", True),
        ("我们不是吃干饭的，这个事马上给您转。", False),
        ("被狗咬了先冲洗伤口，再去打疫苗。", False),
    ],
)
def test_abuse_families_round4(lists_only, agent, expected):
    assert violated(lists_only, "abuse", agent) is expected


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("这个我都讲五道了。", True),
        ("跟你说了三回了，是社保卡。", True),
        ("你自己不会上网查啊？", True),
        ("那跟我们有啥子关系嘛。", True),
        ("你打其他的电话去撒。", True),
        ("这个事情我们也莫法。", True),
        ("不可能，你莫想了。", True),
        ("这个事我们办不到。", True),
        ("你莫催了，催了也没用。", True),
        ("不想办就拉倒，我这边还忙。", True),
        ("你吵也没得用，按规定来。", True),
        ("你莫再打这个热线了。", True),
        ("告就告嘛，我无所谓。", True),
        ("我跟你解释了好多遍了。", True),
        ("不要跟我讲，我管不到。", True),
        ("您随便哪天来都行，工作日就可以。", False),
        ("这个不可能是假的，您放心用。", False),
        ("您可以问一下其他部门，我把他们的电话告诉您。", False),
        ("我再给您讲第二遍，您拿笔记一下。", False),
        ("第二个是关于低保的，我一起说。", False),
        ("这个跟我们热线有关系，我帮您登记。", False),
    ],
)
def test_forbidden_phrase_families_round4(lists_only, agent, expected):
    assert violated(lists_only, "forbidden_phrase", agent) is expected


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("放心，我们叫老板把工钱结清，一分不少。", True),
        ("他必须给您退钱，我们给您做主。", True),
        ("那个押金我们肯定让他把钱退给你。", True),
        ("补贴这一回肯定少不了你的份。", True),
        ("您那个事就定了，等通知就行。", True),
        ("我跟站长说一声就批下来了。", True),
        ("那家店我们派人去查封了，您放心。", True),
        ("补贴每个月十号以前发到社保卡上，具体以银行为准。", False),
        ("他不退？我们让执法队去把他店封了。", True),
        ("钱马上退到您卡上，您放心。", True),
        ("退款一般七个工作日退回您卡上，以银行为准。", False),
        ("请您一定保存好收据，以后维权要用。", False),
        ("您一定要先报警，再到医院处理伤口。", False),
        ("好的，请一定注意防火，感谢您的来电，再见。", False),
        ("您必须本人带身份证去办。", False),
        ("能不能退要看调查结果，我不敢给您打包票。", False),
    ],
)
def test_promise_families_round4(lists_only, agent, expected):
    assert violated(lists_only, "forbidden_promise", agent) is expected


@pytest.mark.parametrize(
    ("caller", "agent", "expected"),
    [
        ("到底是哪个反映的？", "只能说跟你们是一个村的。", True),
        ("是不是我屋对门那家？", "你都猜出来了，那我就不多讲了。", True),
        ("到底是哪个反映的？", "你们村的会计打过来的。", True),
        ("到底是哪个反映的？", "一个小伙子打来的，别的不晓得。", True),
        ("打电话的人是哪个？", "男的，年纪不大。", True),
        ("到底是哪个反映的？", "你自己想下最近得罪了哪个。", True),
        ("到底是哪个反映的？", "反映人信息我们保密，请您理解。", False),
    ],
)
def test_reporter_cues_round4(lists_only, caller, agent, expected):
    assert violated(lists_only, "confidential_leak", agent, caller) is expected


@pytest.mark.parametrize(
    ("caller", "recorded", "expected"),
    [
        ("喂，我要举报我们山上那个采石场，天天放炮。", "求助", True),
        ("有人举报我们山上放炮，我想问一下。", "咨询", False),
        ("我们组上十几户要联名投诉那个砂场。", "求助", True),
        ("之前我举报过了，一直没得人来。", "咨询", False),
        ("我就想问下举报的程序是么样的。", "咨询", False),
    ],
)
def test_appeal_type_own_report_of_our_place(lists_only, caller, recorded, expected):
    call = make_call("appeal_type", caller, "好的，我给您登记。", 0)
    call["ticket"] = {"appeal_type": recorded, "phones": ["13972651188"], "content": "来电人反映采石场放炮"}
    assert lists_only.run(call).item("appeal_type").violated is expected


@pytest.mark.parametrize(
    ("kb", "agent", "expected"),
    [
        ("申请后15日内审核完毕，审核通过的发放补贴。", "申请以后半个月左右，大概两个月内审核完。", True),
        ("申请后15日内审核完毕，审核通过的发放补贴。", "申请以后十五天以内审核完。", False),
        ("审核期为3个月，期间可撤回申请。", "审核期是九十天，期间可以撤回。", False),
        (
            "65周岁以上老人每年可免费体检一次，带身份证到卫生院。",
            "体检要收八十的检查费，带身份证去卫生院。",
            True,
        ),
        (
            "65周岁以上老人每年可免费体检一次，带身份证到卫生院。",
            "体检不收钱，带身份证去卫生院就可以。",
            False,
        ),
        (
            "材料交齐后20个工作日内办结，可委托家属代办。",
            "交齐以后差不多一个月办好，家属可以帮您代办。",
            False,
        ),
        ("材料交齐后10个工作日内办结，可委托家属代办。", "交齐以后要一个多月，而且必须本人来办。", True),
        ("社保卡丢了可以在户籍地或居住地补办，支持跨省通办。", "社保卡丢了只能回户籍地去补。", True),
    ],
)
def test_kb_periods_and_fees(lists_only, kb, agent, expected):
    call = make_call("kb_agreement", "我想问一下这个么样办？", agent, 0)
    call["kb_answer"] = kb
    found = lists_only.run(call).item("kb_agreement")
    assert found.violated is expected, found.message


@pytest.mark.parametrize(
    ("suggested", "chosen", "expected"),
    [
        ("恩施州公安局鹤峰分局", "鹤峰公安分局", False),
        ("恩施州公安局鹤峰分局", "县公安局", False),
        ("国家税务总局鹤峰县税务局", "县税务局", False),
        ("国网鹤峰县供电公司", "县供电公司", False),
        ("恩施州生态环境局鹤峰分局", "县人社局", True),
    ],
)
def test_dispatch_county_branch(lists_only, suggested, chosen, expected):
    call = make_call("dispatch", "", "好的，我给您登记。", 0)
    call["dispatch"] = {"suggested": suggested, "chosen": chosen}
    assert lists_only.run(call).item("dispatch").violated is expected


@pytest.mark.parametrize(
    ("ranked", "expected"),
    [
        # 热线服务 speaks for the hotline, not the matter: the first subject category is too weak
        ([("热线服务", 0.3), ("市场监管", 0.1), ("水电气", 0.05)], False),
        # the recorded category is not among the candidates and the first choice is fair
        ([("劳动保障", 0.19), ("农业农村", 0.1), ("税务", 0.05)], True),
        ([("劳动保障", 0.15), ("农业农村", 0.1), ("税务", 0.05)], False),
        # among the candidates and close: not flagged below min_confidence
        ([("劳动保障", 0.19), ("城市管理", 0.1), ("税务", 0.05)], False),
    ],
)
def test_category_generic_labels_and_absent_record(ranked, expected):
    scorer = QaScorer(use_model=False, category=lambda texts: [ranked for _ in texts])
    call = make_call(
        "category", "我们采茶的工钱老板一直拖到不给，十几个人都没拿到。", "好的，我给您登记。", 0
    )
    call["ticket"] = {"category": "城市管理"}
    assert scorer.run(call).item("category").violated is expected
