from __future__ import annotations

import pytest

from knowledge_base import Document, Embedder, HybridRetriever, Tokenizer


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    e = Embedder()
    e.warm_up()
    return e


@pytest.fixture(scope="session")
def tokenizer() -> Tokenizer:
    t = Tokenizer(["青杠镇", "白马村"])
    t.warm_up()
    return t


@pytest.fixture
def articles() -> list[Document]:
    return make_articles()


@pytest.fixture(scope="session")
def saved_index(tmp_path_factory, embedder, tokenizer):
    """The tiny corpus indexed once per session; tests load their own copy from here."""
    path = tmp_path_factory.mktemp("kb-index")
    r = HybridRetriever(embedder, tokenizer)
    r.build(make_articles())
    r.save(path)
    return path


@pytest.fixture
def retriever(saved_index, embedder, tokenizer):
    r = HybridRetriever(embedder, tokenizer)
    r.load(saved_index)
    return r


def make_articles() -> list[Document]:
    return [
        Document("sb-lost", "社保卡丢了怎么补办", "携带身份证到县政务服务中心社保窗口或合作银行网点办理挂失和补卡，工本费全免。",
                 ["社保卡掉了咋办", "社保卡遗失补卡"], {"category": "社保"}),
        Document("sb-pin", "社保卡密码忘了怎么办", "本人携带身份证和社保卡到银行网点重置密码。",
                 ["社保卡密码锁了", "社保卡初始密码是多少"], {"category": "社保"}),
        Document("hk-baby", "新生儿怎么上户口", "凭出生医学证明、父母户口簿和结婚证到户籍派出所办理出生登记。",
                 ["小孩出生了去哪里报户口", "宝宝落户要带什么"], {"category": "户籍"}),
        Document("water-off", "小区停水了什么时候来水", "计划停水会提前在小区公告；突发停水请拨打自来水公司抢修电话（演示数据）。",
                 ["家里没水了找谁", "停水要停多久"], {"category": "水电气"}),
        Document("farm-subsidy", "耕地地力保护补贴什么时候发", "每年上半年通过惠农一卡通发放，标准以县农业农村局公告为准。",
                 ["种粮补贴啥时候到账", "种地补贴一亩多少钱"], {"category": "农业补贴"}),
        Document("landslide", "发现山体裂缝或滑坡隐患怎么办", "立即远离危险区域，向村（社区）和乡镇报告，并拨打应急电话。",
                 ["屋后山坡开裂了", "后山在往下掉石头"], {"category": "防汛地灾"}),
        Document("qinggang-water", "青杠镇白马村自来水管爆了找谁", "请联系青杠镇供水站维修（演示数据）。", [],
                 {"category": "水电气"}),
    ]
