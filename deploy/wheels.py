"""The air-gapped wheelhouse: write its manifest, check it resolves offline, install from it.

    python deploy/wheels.py manifest wheelhouse      # after `make wheelhouse`: MANIFEST.txt (sha256, sizes)
    python deploy/wheels.py check wheelhouse         # pip --dry-run --no-index: every requirement found?
    python deploy/wheels.py verify wheelhouse        # every file still matches MANIFEST.txt (after copying)

Only the standard library and pip: it runs on the target machine before anything is installed.
pip runs with ``PIP_CONFIG_FILE=/dev/null`` so that no local index or find-links of the build
machine can stand in for a missing wheel.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

# what an offline install asks for (the Makefile installs torch's CPU build first, then the project)
REQUIREMENTS = ["torch==2.13.0", "hotline"]


def isolated_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest(folder: Path) -> dict:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "MANIFEST.txt")
    lines = [f"{_sha256(p)}  {p.stat().st_size:>12}  {p.name}" for p in files]
    total = sum(p.stat().st_size for p in files)
    (folder / "MANIFEST.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = {"files": len(files), "wheels": sum(p.suffix == ".whl" for p in files), "bytes": total}
    print(f"{folder}: {summary['wheels']} 个 wheel，共 {len(files)} 个文件，{total / 2**30:.2f} GiB；清单 MANIFEST.txt")
    return summary


def verify(folder: Path) -> list[str]:
    bad = []
    for line in (folder / "MANIFEST.txt").read_text(encoding="utf-8").splitlines():
        digest, _size, name = line.split(maxsplit=2)
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            bad.append(name)
    return bad


def check(folder: Path, python: str = sys.executable, requirements: list[str] | None = None) -> dict:
    """Resolve the install against the folder alone (``--dry-run --no-index``); returns pip's report."""
    cmd = [python, "-m", "pip", "install", "--dry-run", "--quiet", "--no-index", "--find-links", str(folder),
           "--ignore-installed", "--report", "-", *(requirements or REQUIREMENTS)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=isolated_env(), timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"离线解析失败（{folder} 缺少 wheel）：\n{proc.stderr.strip()[-2000:]}")
    report = json.loads(proc.stdout)
    return {"packages": sorted(f"{i['metadata']['name']}=={i['metadata']['version']}" for i in report["install"])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="离线安装包目录（wheelhouse）")
    parser.add_argument("action", choices=["manifest", "check", "verify"])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"错误：目录 {args.folder} 不存在（先在联网机器上运行 make wheelhouse）", file=sys.stderr)
        return 2
    if args.action == "manifest":
        manifest(args.folder)
    elif args.action == "verify":
        bad = verify(args.folder)
        print("全部文件与清单一致" if not bad else "与清单不符或缺失：" + "、".join(bad))
        return 1 if bad else 0
    else:
        found = check(args.folder)
        print(f"离线解析成功：{len(found['packages'])} 个软件包均可从 {args.folder} 安装")
    return 0


if __name__ == "__main__":
    sys.exit(main())
