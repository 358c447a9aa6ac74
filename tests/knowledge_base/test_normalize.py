from knowledge_base import Normalizer, default_normalizer
from knowledge_base.normalize import read_spoken_lists


def test_fillers_polite_and_particles_are_removed():
    n = default_normalizer()
    assert n.query("呃，那个，我想问一下，社保卡丢了怎么补办嘛？") == "社保卡丢了怎么补办"


def test_traditional_and_full_width_become_simplified_half_width():
    n = default_normalizer()
    assert n.basic("請問社會保險卡１２３號ＡＢＣ") == "请问社会保险卡123号abc"


def test_dialect_words_map_to_mandarin():
    n = default_normalizer()
    assert n.query("医保报销要啥子材料") == "医保报销要什么材料"
    assert n.query("咋个办理身份证") == "怎么办理身份证"
    assert "知道" in n.query("我不晓得在哪里办")
    assert n.query("屋里老汉儿的养老金好多钱") == "家里父亲的养老金多少钱"


def test_repeats_collapse_but_plain_doubling_stays():
    n = default_normalizer()
    assert n.query("我我我想办居住证") == "我想办居住证"
    assert n.query("那个那个低保低保怎么申请") == "低保怎么申请"
    assert n.query("帮我看看") == "帮我看看"


def test_never_empty_for_non_empty_input():
    n = default_normalizer()
    assert n.query("你好") == "你好"
    assert n.query("") == ""


def test_word_lists_are_data(tmp_path):
    path = tmp_path / "spoken.txt"
    path.write_text("[dialect]\n弄啥=做什么\n[filler]\n哈\n", encoding="utf-8")
    n = Normalizer(read_spoken_lists(path))
    assert n.query("哈你弄啥") == "你做什么"
