"""Service settings (pydantic-settings, prefix ``HOTLINE_``).

Only the upper layers read settings; they hand plain values (paths, numbers) to the lower
packages. Every file the service writes lives under ``data_dir``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_COUNTY_DIR = Path(__file__).resolve().parent / "demo" / "heifeng"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="数据目录：数据库、索引、模型、日志")
    database_url: str | None = Field(default=None, description="数据库地址；为空时使用数据目录下的 SQLite")
    host: str = "127.0.0.1"
    port: int = 8000
    county_dir: Path = Field(default=DEMO_COUNTY_DIR, description="县级配置目录（区划、单位、时限政策…）")
    token_ttl_minutes: int = 8 * 60
    # seconds a checked token is trusted without asking the database again (0: always ask);
    # bounds how late another worker process notices a logout or a deactivated account
    auth_cache_seconds: float = 5.0
    # calibrated confidence a self-service caller needs before getting one firm answer (agents: the
    # index's own threshold, 0.6); below it the caller sees candidates and may leave a ticket
    kb_selfservice_answer_threshold: float = 0.8
    # threads per worker process for blocking request handlers
    api_threads: int = Field(default=8, ge=1, le=200)
    # seconds a request waits on a locked or unreachable database before a clear 503
    db_busy_timeout_s: float = 30.0
    login_max_failures: int = 5
    login_window_minutes: int = 15
    scheduler_enabled: bool = True
    scheduler_interval_s: float = 30.0
    # seconds the scheduler's lease lasts without renewal: how soon another worker takes over after
    # the leader dies (a clean stop hands it back at once); keep it well above the interval
    scheduler_lease_s: float = 90.0
    sqlite_synchronous: str = "FULL"
    # repeated/concentrated-appeal detection in a thread of its own (a creation's reply never waits
    # for it); false: checked inside the creating request (deterministic, for batch tools and tests)
    governance_background: bool = True
    # detection in a process of its own that follows the ticket table (assistant/detection_process.py),
    # so that on 2 cores it does not share the API process's GIL; `hotline serve` turns it on
    governance_process: bool = False
    selfservice_rate_per_minute: int = 20
    warm_up_models: bool = Field(default=True, description="启动时加载模型与索引（否则首次使用时加载）")
    asr_engine: str = Field(default="whisper", description="语音识别引擎：whisper（内置）或 funasr（需模型目录）")
    asr_model_dir: Path | None = Field(default=None, description="FunASR 模型目录（运营方拷入的权重）")
    asr_agent_channel: int = Field(default=0, description="立体声录音中坐席所在声道（0 左，1 右）")
    asr_live_interim_s: float = Field(default=1.2, ge=0, le=30,
                                      description="实时通话中来电人每说这么多秒新内容，就在解码空闲时给出暂定文字与暂定推荐（0 关闭）")
    kb_dense: bool = Field(default=True, description="知识库使用向量检索（关闭则仅用关键词检索）")

    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir() / 'hotline.db'}"

    def ensure_dirs(self) -> Path:
        root = self.resolved_data_dir()
        for sub in ("", "logs", "models", "indexes", "recordings", "backups"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        return root
