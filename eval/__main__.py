"""Entry point: ``python -m eval TASK [options] [--json]``."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys

from eval import tasks


def _task_modules() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(tasks.__path__):
        if info.name.startswith("_"):
            continue
        found[info.name.replace("_", "-")] = info.name
    return found


def main(argv: list[str] | None = None) -> int:
    names = _task_modules()
    parser = argparse.ArgumentParser(prog="python -m eval", description="评测与基准测试")
    sub = parser.add_subparsers(dest="task", required=True)
    loaded = {}
    for public, module_name in sorted(names.items()):
        module = importlib.import_module(f"eval.tasks.{module_name}")
        loaded[public] = module
        p = sub.add_parser(public, help=(module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else None)
        p.add_argument("--json", action="store_true", help="print the figures as JSON on the last line")
        module.add_arguments(p)
    args = parser.parse_args(argv)
    figures = loaded[args.task].run(args)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
