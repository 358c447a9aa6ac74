"""The dispatch catalogue (派单目录): matter → lead unit, handling level, co-handlers and the legal
or duty-list basis. Loaded from the county's ``catalogue.csv`` (``matter,keywords,unit_code,level,
co_units,basis``; ``keywords`` and ``co_units`` ``|``-separated) or from a list of dicts, and checked
row by row: every problem is reported with its row number, in Chinese, all at once."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from classifiers.dispatch.errors import CatalogueInvalid

LEVELS = ("county", "township", "village")
LEVEL_NAMES = {"county": "县级部门", "township": "乡镇", "village": "村（社区）"}
TOWNSHIP = "township"  # placeholder unit: the government of the event's township
VILLAGE = "village"  # placeholder unit: the committee of the event's village
COLUMNS = ("matter", "keywords", "unit_code", "level", "co_units", "basis")


@dataclass(frozen=True)
class CatalogueLine:
    """One line of the catalogue. ``row`` is its line number in the CSV (the header is line 1)."""

    row: int
    matter: str
    keywords: tuple[str, ...]
    unit_code: str
    level: str
    co_units: tuple[str, ...]
    basis: str

    @property
    def is_local(self) -> bool:
        """True when the lead is decided by the event's place (属地): township or village."""
        return self.unit_code in (TOWNSHIP, VILLAGE)

    def describe(self) -> str:
        return f"{self.matter}（依据：{self.basis}）"


def _split(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split("|")
    out: list[str] = []
    for item in items:
        item = str(item).strip()
        if item and item not in out:
            out.append(item)
    return tuple(out)


def _check_row(row_no: int, raw: Mapping[str, object], units: dict[str, dict] | None,
               seen: dict[str, int], problems: list[str]) -> CatalogueLine | None:
    matter = str(raw.get("matter") or "").strip()
    where = f"第 {row_no} 行" + (f"（{matter}）" if matter else "")
    before = len(problems)
    if not matter:
        problems.append(f"{where}：事项名称为空")
    elif matter in seen:
        problems.append(f"{where}：事项与第 {seen[matter]} 行重复")
    unit_code = str(raw.get("unit_code") or "").strip()
    level = str(raw.get("level") or "").strip()
    basis = str(raw.get("basis") or "").strip()
    co_units = _split(raw.get("co_units"))
    if level not in LEVELS:
        problems.append(f"{where}：办理层级“{level}”无效，应为 county、township 或 village")
    if not unit_code:
        problems.append(f"{where}：牵头单位编码为空")
    elif unit_code == TOWNSHIP and level in LEVELS and level != "township":
        problems.append(f"{where}：牵头单位为 township（事发地乡镇政府）时，办理层级必须为 township")
    elif unit_code == VILLAGE and level in LEVELS and level != "village":
        problems.append(f"{where}：牵头单位为 village（事发地村委会）时，办理层级必须为 village")
    elif unit_code not in (TOWNSHIP, VILLAGE) and units is not None:
        unit = units.get(unit_code)
        if unit is None:
            problems.append(f"{where}：牵头单位编码“{unit_code}”不在承办单位名录中")
        elif level in LEVELS and unit.get("level") and unit["level"] != level:
            problems.append(f"{where}：牵头单位“{unit.get('name', unit_code)}”的层级是 {unit['level']}，"
                            f"与办理层级“{level}”不符")
    for co in co_units:
        if co == unit_code:
            problems.append(f"{where}：协办单位“{co}”与牵头单位相同")
        elif co not in (TOWNSHIP, VILLAGE) and units is not None and co not in units:
            problems.append(f"{where}：协办单位编码“{co}”不在承办单位名录中")
    if not basis:
        problems.append(f"{where}：缺少法律法规或职责依据（basis）")
    if len(problems) > before:
        return None
    seen[matter] = row_no
    return CatalogueLine(row_no, matter, _split(raw.get("keywords")), unit_code, level, co_units, basis)


class Catalogue:
    """A checked, immutable dispatch catalogue."""

    def __init__(self, lines: Iterable[CatalogueLine]) -> None:
        self.lines: tuple[CatalogueLine, ...] = tuple(lines)
        self._by_matter = {line.matter: line for line in self.lines}

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, object]], units: Iterable[Mapping] | None = None,
                  *, first_row: int = 2) -> Catalogue:
        """Check ``rows`` (dicts with the catalogue's columns). With ``units`` (the county's unit list),
        unit codes and levels are checked against it. Raises :class:`CatalogueInvalid`."""
        unit_map = None if units is None else {str(u["code"]): dict(u) for u in units}
        problems: list[str] = []
        seen: dict[str, int] = {}
        lines = []
        for i, raw in enumerate(rows):
            line = _check_row(first_row + i, raw, unit_map, seen, problems)
            if line is not None:
                lines.append(line)
        if not lines and not problems:
            problems.append("派单目录为空")
        if problems:
            raise CatalogueInvalid(problems)
        return cls(lines)

    @classmethod
    def from_csv(cls, path: str | Path, units: Iterable[Mapping] | None = None) -> Catalogue:
        path = Path(path)
        try:
            with open(path, encoding="utf-8-sig", newline="") as f:
                reader = csv.DictReader(f)
                missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
                if missing:
                    raise CatalogueInvalid([f"{path.name} 缺少列：{'、'.join(missing)}"])
                rows = list(reader)
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogueInvalid([f"无法读取派单目录 {path}：{exc}"]) from exc
        return cls.from_rows(rows, units)

    def __len__(self) -> int:
        return len(self.lines)

    def __iter__(self) -> Iterator[CatalogueLine]:
        return iter(self.lines)

    def get(self, matter: str) -> CatalogueLine | None:
        return self._by_matter.get(matter)

    def lead_units(self) -> set[str]:
        return {line.unit_code for line in self.lines}
