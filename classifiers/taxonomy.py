"""A configurable multi-level appeal taxonomy (``level1,level2,level3`` CSV).

>>> tax = Taxonomy.from_csv("taxonomy.csv")
>>> tax.labels(1)                 # first-level categories, file order
>>> tax.children(("城乡建设",))    # second-level names under one first-level category
>>> tax.find("燃气供应")           # every full path that ends with this name
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from classifiers.errors import TaxonomyError

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class TaxonomyNode:
    """One node of the tree: its name, full path from the root, and children in file order."""

    name: str
    path: Path_
    children: tuple[TaxonomyNode, ...] = ()

    @property
    def level(self) -> int:
        return len(self.path)


@dataclass
class Taxonomy:
    """Ordered set of category paths, each 1..``depth`` names long, without gaps or duplicates."""

    paths: list[Path_]
    level_names: list[str] = field(default_factory=lambda: ["level1", "level2", "level3"])

    def __post_init__(self) -> None:
        self.paths = [tuple(p) for p in self.paths]
        errors = validate_paths(self.paths)
        if errors:
            raise TaxonomyError("分类体系有误：" + "；".join(errors[:10]), details={"errors": errors})

    # ---------------------------------------------------------------- loading
    @classmethod
    def from_csv(cls, path: str | Path) -> Taxonomy:
        """Read a ``level1,level2,...`` CSV (UTF-8, with or without BOM; GB18030 accepted)."""
        p = Path(path)
        if not p.is_file():
            raise TaxonomyError(f"找不到分类体系文件：{p}", code="taxonomy_not_found")
        raw = p.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes almost anything
            raise TaxonomyError(f"分类体系文件编码无法识别（请另存为 UTF-8）：{p}")
        return cls.from_csv_text(text)

    @classmethod
    def from_csv_text(cls, text: str) -> Taxonomy:
        reader = csv.reader(io.StringIO(text))
        rows = [row for row in reader]
        if not rows or not any(cell.strip() for cell in rows[0]):
            raise TaxonomyError("分类体系文件为空。", code="taxonomy_empty")
        header = [cell.strip().lower() for cell in rows[0]]
        level_cols = [i for i, name in enumerate(header) if name.startswith("level")]
        if not level_cols or header[level_cols[0]] != "level1":
            raise TaxonomyError(
                "分类体系文件第 1 行应为表头 level1,level2,level3（至少要有 level1 列）。",
                code="taxonomy_header",
            )
        body = []
        for line_no, row in enumerate(rows[1:], start=2):
            cells = [row[i].strip() if i < len(row) else "" for i in level_cols]
            if not any(cells):
                continue
            body.append((line_no, cells))
        return cls.from_rows(body, level_names=[header[i] for i in level_cols])

    @classmethod
    def from_rows(
        cls, rows: Iterable[Sequence[str]] | Iterable[tuple[int, Sequence[str]]], level_names: list[str] | None = None
    ) -> Taxonomy:
        """Build from rows of names (``["城乡建设", "安全生产", "事故处理"]``), optionally ``(line_no, row)``."""
        paths: list[Path_] = []
        lines: list[int] = []
        errors: list[str] = []
        for i, item in enumerate(rows):
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int):
                line_no, cells = item
            else:
                line_no, cells = i + 2, item
            cells = [str(c).strip() if c is not None else "" for c in cells]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            if "" in cells:
                gap = cells.index("") + 1
                errors.append(f"第 {line_no} 行第 {gap} 级为空，但其下级不为空")
                continue
            paths.append(tuple(cells))
            lines.append(line_no)
        errors += validate_paths(paths, lines) if paths else []
        if errors:
            raise TaxonomyError("分类体系有误：" + "；".join(errors[:10]), details={"errors": errors})
        if not paths:
            raise TaxonomyError("分类体系没有任何类别。", code="taxonomy_empty")
        depth = max(len(p) for p in paths)
        names = level_names or [f"level{i + 1}" for i in range(depth)]
        return cls(paths=paths, level_names=names)

    # ---------------------------------------------------------------- queries
    @property
    def depth(self) -> int:
        return max(len(p) for p in self.paths)

    def labels(self, level: int = 1) -> list[str]:
        """Distinct names at ``level`` (1-based), in file order."""
        if level < 1 or level > self.depth:
            raise TaxonomyError(f"分类层级应在 1 到 {self.depth} 之间，收到 {level}。", code="taxonomy_level")
        seen: dict[str, None] = {}
        for p in self.paths:
            if len(p) >= level:
                seen.setdefault(p[level - 1], None)
        return list(seen)

    def prefixes(self, level: int) -> list[Path_]:
        """Distinct path prefixes of exactly ``level`` names, in file order."""
        seen: dict[Path_, None] = {}
        for p in self.paths:
            if len(p) >= level:
                seen.setdefault(p[:level], None)
        return list(seen)

    def children(self, prefix: Sequence[str] = ()) -> list[str]:
        """Names directly under ``prefix`` (the roots for an empty prefix)."""
        prefix = tuple(prefix)
        if prefix and not self.contains(prefix):
            raise TaxonomyError(f"分类体系中没有“{'/'.join(prefix)}”。", code="taxonomy_unknown_path")
        n = len(prefix)
        seen: dict[str, None] = {}
        for p in self.paths:
            if len(p) > n and p[:n] == prefix:
                seen.setdefault(p[n], None)
        return list(seen)

    def contains(self, path: Sequence[str]) -> bool:
        path = tuple(path)
        return any(p[: len(path)] == path for p in self.paths)

    def find(self, name: str, level: int | None = None) -> list[Path_]:
        """Every path prefix whose last name is ``name`` (at ``level`` if given)."""
        found: dict[Path_, None] = {}
        for p in self.paths:
            for i, part in enumerate(p):
                if part == name and (level is None or level == i + 1):
                    found.setdefault(p[: i + 1], None)
        return list(found)

    def leaves(self) -> list[Path_]:
        return list(self.paths)

    def tree(self) -> list[TaxonomyNode]:
        """The taxonomy as nested nodes (roots in file order)."""

        def build(prefix: Path_) -> tuple[TaxonomyNode, ...]:
            return tuple(TaxonomyNode(name, prefix + (name,), build(prefix + (name,))) for name in self.children(prefix))

        return list(build(()))

    def to_rows(self) -> list[list[str]]:
        return [list(p) + [""] * (self.depth - len(p)) for p in self.paths]

    def __len__(self) -> int:
        return len(self.paths)


def validate_paths(paths: Sequence[Path_], line_numbers: Sequence[int] | None = None) -> list[str]:
    """Chinese descriptions of what is wrong with ``paths`` (empty list when valid).

    With ``line_numbers`` (the CSV line of each path) messages name file lines, else entry numbers.
    """
    errors: list[str] = []
    if not paths:
        return ["没有任何类别"]
    unit = "行" if line_numbers is not None else "条"
    seen: dict[Path_, int] = {}
    for idx, p in enumerate(paths):
        i = line_numbers[idx] if line_numbers is not None else idx + 1
        if not p or any(not isinstance(x, str) or not x.strip() for x in p):
            errors.append(f"第 {i} {unit}类别含空名称")
            continue
        if any(len(x) > 50 for x in p):
            errors.append(f"第 {i} {unit}类别名称超过 50 字：{'/'.join(p)}")
        if p in seen:
            errors.append(f"类别“{'/'.join(p)}”重复（第 {seen[p]} {unit}与第 {i} {unit}）")
        else:
            seen[p] = i
    full = set(seen)
    for p in full:
        for k in range(1, len(p)):
            if p[:k] in full:
                errors.append(f"“{'/'.join(p[:k])}”既是独立类别又有下级类别，请只保留完整路径")
                break
    return errors
