"""The county's handling units as the router needs them: names by code, the government of each
township and the committee of each village (for 属地管理), checked against the gazetteer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from classifiers.dispatch.catalogue import TOWNSHIP, VILLAGE
from classifiers.dispatch.errors import UnitsInvalid
from classifiers.dispatch.gazetteer import Gazetteer

LOCAL_NAMES = {TOWNSHIP: "事发地乡镇人民政府", VILLAGE: "事发地村（居）民委员会"}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    kind: str
    township: str | None
    village: str | None
    duties: str
    keywords: tuple[str, ...]


class UnitDirectory:
    def __init__(self, units: Iterable[Mapping], gazetteer: Gazetteer) -> None:
        self.units: dict[str, Unit] = {}
        problems = []
        for i, u in enumerate(units, 1):
            code, name = str(u.get("code") or "").strip(), str(u.get("name") or "").strip()
            if not code or not name:
                problems.append(f"第 {i} 个承办单位缺少编码或名称")
                continue
            if code in self.units or code in (TOWNSHIP, VILLAGE):
                problems.append(f"承办单位编码“{code}”重复或为保留字")
                continue
            self.units[code] = Unit(code, name, str(u.get("level") or "county"), str(u.get("kind") or ""),
                                    u.get("township") or None, u.get("village") or None,
                                    str(u.get("duties") or ""), tuple(u.get("keywords") or ()))
        self.township_gov: dict[str, str] = {}
        self.village_committee: dict[tuple[str, str], str] = {}
        for unit in self.units.values():
            if unit.level == "township" and unit.township:
                self.township_gov[unit.township] = unit.code
            elif unit.level == "village" and unit.township and unit.village:
                self.village_committee[(unit.township, unit.village)] = unit.code
        missing = [t for t in gazetteer.townships if t not in self.township_gov]
        if missing:
            problems.append(f"以下乡镇没有对应的乡镇人民政府承办单位：{'、'.join(missing)}")
        if problems:
            raise UnitsInvalid("承办单位名录有误：" + "；".join(problems))
        self.by_name = {u.name: u.code for u in self.units.values()}

    def name(self, code: str) -> str:
        unit = self.units.get(code)
        return unit.name if unit else LOCAL_NAMES.get(code, code)

    def resolve(self, placeholder: str, township: str | None, village: str | None) -> tuple[str | None, str]:
        """The unit and level that handle a line led by ``placeholder`` at the given place:
        (code or None when the place is unknown, level)."""
        if placeholder == VILLAGE:
            if township and village and (township, village) in self.village_committee:
                return self.village_committee[(township, village)], "village"
            return (self.township_gov.get(township) if township else None), "township"
        if placeholder == TOWNSHIP:
            return (self.township_gov.get(township) if township else None), "township"
        unit = self.units[placeholder]
        return placeholder, unit.level

    def code_of(self, code_or_name: str) -> str | None:
        if code_or_name in self.units:
            return code_or_name
        return self.by_name.get(code_or_name)

    def family(self, code: str) -> str:
        """The catalogue placeholder a unit stands for (township governments → township, village
        committees → village), or the code itself."""
        unit = self.units.get(code)
        if unit is None:
            return code
        if unit.level == "township" and unit.township:
            return TOWNSHIP
        if unit.level == "village" and unit.village:
            return VILLAGE
        return code
