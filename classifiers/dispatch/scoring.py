"""Per-query evidence for every catalogue line: keyword hits, BM25, embedding similarity to the
line, and closeness to the lead unit's duties (职权法定). The router fuses them."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from classifiers.dispatch.catalogue import TOWNSHIP, VILLAGE, Catalogue, CatalogueLine
from classifiers.dispatch.directory import UnitDirectory
from classifiers.dispatch.embedding import Encoder
from classifiers.dispatch.lexical import LexicalDoc, LexicalIndex, add_words, matter_parts


@dataclass
class Evidence:
    keyword: np.ndarray  # per line, rarity-weighted keyword hits
    bm25: np.ndarray  # per line, 0..1 (share of the best line)
    dense: np.ndarray  # per line, cosine to the line's passage (zeros without a model)
    unit_keyword: np.ndarray  # per line, keyword hits on the lead unit's own keywords
    unit_dense: np.ndarray  # per line, cosine to the lead unit's duties
    found: list[list[str]]  # per line, the keywords found
    vector: np.ndarray | None  # the query embedding


def line_passage(line: CatalogueLine) -> str:
    return f"{line.matter}：{'、'.join(line.keywords)}"


def _common_prefix(texts: list[str]) -> str:
    if not texts:
        return ""
    return os.path.commonprefix(texts).rsplit("，", 1)[0] or texts[0]


class Scorer:
    def __init__(self, catalogue: Catalogue, directory: UnitDirectory, encoder: Encoder | None) -> None:
        self.lines = list(catalogue)
        self.encoder = encoder
        add_words(k for line in self.lines for k in line.keywords)
        self.line_index = LexicalIndex([LexicalDoc(line.keywords + tuple(matter_parts(line.matter)), line.matter)
                                        for line in self.lines])
        families = sorted({line.unit_code for line in self.lines})
        self.family_of_line = np.array([families.index(line.unit_code) for line in self.lines])
        docs, passages = [], []
        for fam in families:
            if fam in (TOWNSHIP, VILLAGE):
                # local governments share one generic duty text; their keywords name places (村里、组里),
                # not functions, so they are left out of the keyword evidence
                level = "township" if fam == TOWNSHIP else "village"
                members = [u for u in directory.units.values() if u.level == level]
                kws = set()
                duties = _common_prefix([u.duties for u in members])
                name = "乡镇人民政府" if fam == TOWNSHIP else "村民委员会"
            else:
                unit = directory.units[fam]
                kws, duties, name = set(unit.keywords), unit.duties, unit.name
            docs.append(LexicalDoc(tuple(sorted(kws)), duties))
            passages.append(f"{name}：{duties}")
        self.unit_index = LexicalIndex(docs)
        self._line_passages = [line_passage(line) for line in self.lines]
        self._unit_passages = passages
        self.line_vectors: np.ndarray | None = None
        self.unit_vectors: np.ndarray | None = None

    def warm_up(self) -> None:
        if self.encoder is not None and self.line_vectors is None:
            self.line_vectors = self.encoder.passages(self._line_passages)
            self.unit_vectors = self.encoder.passages(self._unit_passages)

    def embed(self, text: str) -> np.ndarray | None:
        if self.encoder is None:
            return None
        self.warm_up()
        return self.encoder.queries([text])[0]

    def evidence(self, text: str, hint: str = "") -> Evidence:
        kw, found = self.line_index.keyword_scores(text)
        bm = np.asarray(self.line_index.bm25(f"{text} {hint}".strip()), dtype=np.float32)
        bm = bm / bm.max() if bm.max() > 0 else bm
        ukw, _ = self.unit_index.keyword_scores(text)
        vec = self.embed(text)
        n = len(self.lines)
        if vec is not None:
            dense = self.line_vectors @ vec
            udense = (self.unit_vectors @ vec)[self.family_of_line]
        else:
            dense = np.zeros(n, np.float32)
            udense = np.zeros(n, np.float32)
        return Evidence(np.asarray(kw, np.float32), bm, dense.astype(np.float32),
                        np.asarray(ukw, np.float32)[self.family_of_line], udense.astype(np.float32), found, vec)
