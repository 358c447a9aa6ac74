import numpy as np
import pytest

from knowledge_base import Embedder, InvalidSetting, ModelUnavailable
from knowledge_base.e5image import E5Image, UnigramTokenizer, dequantize_q4, quantize_q4


def test_vectors_are_normalised_float32(embedder):
    q = embedder.embed_queries(["社保卡丢了怎么补办", "医保怎么报销"])
    p = embedder.embed_passages(["携带身份证到社保窗口办理。"])
    assert q.dtype == np.float32 and q.shape == (2, embedder.dim) == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-5)
    assert float(q[0] @ p[0]) > float(q[1] @ p[0])
    assert embedder.embed_queries([]).shape == (0, 384)


def test_settings_are_checked(tmp_path):
    with pytest.raises(InvalidSetting):
        Embedder(backend="onnx")
    with pytest.raises(ModelUnavailable):
        Embedder(tmp_path / "none.bin")


def test_image_tokenizer_and_quantisation_match_the_engine(embedder):
    image = E5Image.read()
    tok = UnigramTokenizer(image)
    engine = embedder._impl.model
    for text in ["社保卡丢了咋个补办？", "城乡居民养老保险 ABC 12345"]:
        assert len(tok.encode("query: " + text)) == engine.token_count(text, True)
    w = image.tensor("l0.q.w")
    e = image.tensors["l0.q.w"]
    assert quantize_q4(w) == bytes(image.raw[e.offset:e.offset + e.nbytes])
    np.testing.assert_array_equal(dequantize_q4(quantize_q4(w), w.size), w)


def test_fine_tuned_delta_loads_from_memory(tmp_path, embedder):
    from knowledge_base.e5image import apply_delta, write_delta

    base = E5Image.read()
    tuned = E5Image(bytes(base.raw))
    bias = tuned.tensor("l11.oln.b")
    tuned.set_tensor("l11.oln.b", bias + 0.5)
    assert write_delta(tuned, base, tmp_path / "d.npz") == ["l11.oln.b"]
    patched = apply_delta(E5Image.read(), tmp_path / "d.npz")
    np.testing.assert_array_equal(patched.tensor("l11.oln.b"), bias + 0.5)
    other = Embedder(tmp_path / "d.npz")
    text = ["社保卡丢了怎么补办"]
    assert other.signature()["digest"] != embedder.signature()["digest"]
    cos = float(other.embed_queries(text)[0] @ embedder.embed_queries(text)[0])
    assert cos < 0.999  # the engine runs the patched weights
    with pytest.raises(ModelUnavailable):
        Embedder("no-such-model")
