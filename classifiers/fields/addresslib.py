"""Entries from the address library (jionlp's table of China's administrative divisions) for one county.

The county file is the authority; the library only adds what it lacks: the county's other real
village names (full names such as "青龙村", placed under the county file's township of the same name
or alias, dropped when the same name exists in two townships), and names of places outside the
county (the province's cities, the prefecture's other counties, every county's full name in the
province) so that "我在恩施市打工" is not mistaken for an address in the county. The table is read
straight from the package's data file (streamed, without importing jionlp: no banner, no 150 MB
dictionary), once per county, in about a second.
"""

from __future__ import annotations

import importlib.util
import io
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from classifiers.fields.errors import AddressLibraryUnavailableError
from classifiers.fields.gazetteer import Reading

_CACHE: dict[tuple[str, str], tuple[tuple[str, Reading], ...]] = {}
_LOCK = threading.Lock()


def _data_dir() -> Path | None:
    try:
        spec = importlib.util.find_spec("jionlp")  # finds the package without running it
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "dictionary"
    return folder if (folder / "china_location.txt").exists() or (folder / "china_location.zip").exists() else None


def jionlp_available() -> bool:
    return _data_dir() is not None


def _lines() -> Iterator[str]:
    folder = _data_dir()
    if folder is None:
        raise AddressLibraryUnavailableError()
    try:
        if (folder / "china_location.txt").exists():
            with open(folder / "china_location.txt", encoding="utf-8") as f:
                yield from f
        else:
            with zipfile.ZipFile(folder / "china_location.zip") as z, z.open("china_location.txt") as raw:
                yield from io.TextIOWrapper(raw, encoding="utf-8")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise AddressLibraryUnavailableError(detail=repr(exc)) from exc


@dataclass
class _Division:
    name: str
    aliases: list[str]
    children: dict[str, _Division] = field(default_factory=dict)
    code: str = ""


def _read(code: str, name: str) -> tuple[_Division | None, _Division | None, _Division | None]:
    """(province, prefecture, county) of the county, with the county's towns and villages."""
    province = city = county = None
    target: tuple[_Division, _Division, _Division] | None = None
    town: list[str] | None = None
    for raw in _lines():
        line = raw.rstrip("\r\n")
        depth = len(line) - len(line.lstrip("\t"))
        parts = [p for p in line.strip("\t").split("\t") if p]
        if not parts:
            continue
        if depth == 0:
            if target:
                break  # the county's province is done
            province, city, county = _Division(parts[0], parts[2:]), None, None
        elif depth == 1 and province is not None:
            city = province.children.setdefault(parts[0], _Division(parts[0], parts[2:]))
        elif depth == 2 and city is not None:
            county = city.children.setdefault(parts[0], _Division(parts[0], parts[2:], code=parts[1] if len(parts) > 1 else ""))
            if (code and county.code == code) or (not code and county.name == name):
                target = (province, city, county)
        elif depth == 3 and target and county is target[2]:
            town = []
            county.children[parts[0]] = _Division(parts[0], town)  # villages kept in ``aliases``
        elif depth == 4 and target and county is target[2] and town is not None:
            town.append(parts[0])
    return target if target else (None, None, None)


def library_entries(county: Mapping, township_of: Callable[[str], str | None]) -> tuple[tuple[str, Reading], ...]:
    """(surface, reading) pairs the library adds for ``county`` (matched by ``code`` or ``name``)."""
    code, name = str(county.get("code") or ""), str(county.get("name") or "")
    key = (code, name)
    with _LOCK:
        if key not in _CACHE:
            province, city, own = _read(code, name)
            entries: tuple[tuple[str, Reading], ...] = ()
            if province and city and own:
                entries = tuple(_villages(own, township_of)) + tuple(_outside(province, city.name, own.name))
            _CACHE[key] = entries
        return _CACHE[key]


def _villages(own: _Division, township_of: Callable[[str], str | None]) -> list[tuple[str, Reading]]:
    placed: list[tuple[str, str]] = []
    for town in own.children.values():
        township = township_of(town.name)
        if township is not None:
            placed.extend((v, township) for v in town.aliases)
    counts = Counter(v for v, _ in placed)
    return [(v, Reading("village", v, tw, v, "library")) for v, tw in placed
            if counts[v] == 1 and v.endswith(("村", "社区")) and len(v) >= 3]


def _outside(province: _Division, own_city: str, own_county: str) -> list[tuple[str, Reading]]:
    out = []
    for city in province.children.values():
        for s in [city.name, *city.aliases]:  # "恩施" in a call from 鹤峰 means 恩施市, not here
            if len(s) >= 2 and s != "省直辖":
                out.append((s, Reading("outside", city.name, source="library")))
        for county in city.children.values():
            if county.name == own_county:
                continue
            surfaces = [county.name] + (county.aliases if city.name == own_city else [])
            out.extend((s, Reading("outside", county.name, source="library")) for s in surfaces if len(s) >= 2)
    return out
