"""Entries from the address library (jionlp's China administrative divisions) for one county.

The county file is the authority; the library only adds what it lacks: the county's other real
village names (full names such as "青龙村", placed under the county file's township of the same name
or alias, dropped when the same name exists in two townships), and names of places outside the
county (the province's cities, the prefecture's other counties, every county's full name in the
province) so that "我在恩施市打工" is not mistaken for an address in the county. Loading the library
takes a few seconds and about 150 MB once; the entries are cached per county code.
"""

from __future__ import annotations

import contextlib
import gc
import io
import threading
from collections import Counter
from collections.abc import Callable, Mapping

from classifiers.fields.errors import AddressLibraryUnavailableError
from classifiers.fields.gazetteer import Reading

_CACHE: dict[tuple[str, str], tuple[tuple[str, Reading], ...]] = {}
_LOCK = threading.Lock()


def jionlp_available() -> bool:
    try:
        import importlib.util

        return importlib.util.find_spec("jionlp") is not None
    except (ImportError, ValueError):
        return False


def _load_divisions() -> dict:
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
            from jionlp.dictionary.dictionary_loader import china_location_loader

            return china_location_loader(detail=True)
    except Exception as exc:  # noqa: BLE001 - any failure means the library is unusable here
        raise AddressLibraryUnavailableError(detail=repr(exc)) from exc


def _children(node: Mapping) -> dict:
    return {k: v for k, v in node.items() if not k.startswith("_") and isinstance(v, Mapping)}


def _aliases(node: Mapping) -> list[str]:
    alias = node.get("_alias")
    return [a for a in (alias if isinstance(alias, list) else [alias]) if isinstance(a, str) and a]


def library_entries(county: Mapping, township_of: Callable[[str], str | None]) -> tuple[tuple[str, Reading], ...]:
    """(surface, reading) pairs the library adds for ``county`` (matched by ``code`` or ``name``)."""
    code, name = str(county.get("code") or ""), str(county.get("name") or "")
    key = (code, name)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        divisions = _load_divisions()
        entries = _extract(divisions, code, name, township_of)
        del divisions
        gc.collect()
        _CACHE[key] = entries
        return entries


def _extract(divisions: Mapping, code: str, name: str, township_of: Callable[[str], str | None]) -> tuple:
    for province in divisions.values():
        for city_name, city in _children(province).items():
            for county_name, node in _children(city).items():
                if (code and str(node.get("_admin_code")) == code) or (not code and county_name == name):
                    return tuple(_villages(node, township_of)) + tuple(
                        _outside(province, city_name, county_name))
    return ()


def _villages(node: Mapping, township_of: Callable[[str], str | None]) -> list[tuple[str, Reading]]:
    placed: list[tuple[str, str]] = []
    for town_name, villages in _children(node).items():
        township = township_of(town_name)
        if township is None:
            continue
        placed.extend((v, township) for v in (villages or {}) if isinstance(v, str))
    counts = Counter(v for v, _ in placed)
    return [(v, Reading("village", v, tw, v, "library")) for v, tw in placed
            if counts[v] == 1 and v.endswith(("村", "社区")) and len(v) >= 3]


def _outside(province: Mapping, own_city: str, own_county: str) -> list[tuple[str, Reading]]:
    out = []
    for city_name, city in _children(province).items():
        for s in [city_name, *_aliases(city)]:  # "恩施" in a call from 鹤峰 means 恩施市, not here
            if len(s) >= 2 and s != "省直辖":
                out.append((s, Reading("outside", city_name, source="library")))
        for county_name, county in _children(city).items():
            if county_name == own_county:
                continue
            surfaces = [county_name]
            if city_name == own_city:
                surfaces += _aliases(county)
            out.extend((s, Reading("outside", county_name, source="library")) for s in surfaces if len(s) >= 2)
    return out
