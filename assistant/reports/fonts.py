"""A CJK-capable TrueType font for the charts and the PDF (Debian ``fonts-droid-fallback``, which
``make install`` and ``.ci/run`` install; other common CJK fonts are taken when present)."""

from __future__ import annotations

from pathlib import Path

from assistant.reports.errors import ReportUnavailable

CANDIDATES = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def cjk_font(explicit: str | Path | None = None) -> Path:
    """The font file to use: ``explicit`` when given, else the first installed candidate."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ReportUnavailable(f"报表字体文件不存在：{path}")
        return path
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise ReportUnavailable("未找到中文字体，无法绘制报表图表；请安装 fonts-droid-fallback（make install 会自动安装）")


def latin_font() -> Path:
    """DejaVu Sans from matplotlib's own data (some CJK fonts lack digits and Latin letters)."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
