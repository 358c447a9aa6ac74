"""The running service's parts, wired once per process from the settings."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from assistant.auth import AuthService
from assistant.call_audio import CallAudio
from assistant.callback_service import CallbackDesk
from assistant.calls import CallService
from assistant.catalogue import CatalogueService
from assistant.config import Settings
from assistant.core import build_core, utc_now
from assistant.corrections import CorrectionService
from assistant.county import County, seed_county, seed_knowledge_base
from assistant.db.migrate import upgrade
from assistant.detection_process import FollowerSupervisor
from assistant.errors import AssistantError
from assistant.governance.service import Governance
from assistant.hotspots.service import HotspotService
from assistant.kb.desk import KnowledgeDesk
from assistant.kb.index import KnowledgeIndex, published_documents
from assistant.kb.service import KnowledgeService
from assistant.offline import offline_status
from assistant.quality import QualityService
from assistant.ratelimit import RateLimiter
from assistant.reports.service import ReportService
from assistant.routing import RoutingService
from assistant.scheduler import Scheduler
from assistant.speech import SpeechService
from assistant.tickets.attachments import AttachmentService
from assistant.users import UserService
from assistant.workcalendar import covered_years
from classifiers.callback import CallbackOutcomeReader
from classifiers.callback.script import callback_script
from classifiers.fields import FieldExtractor
from classifiers.qa import QaScorer

log = logging.getLogger(__name__)


class Hotline:
    """Everything one service process needs: database, county, services, scheduler."""

    def __init__(self, settings: Settings, *, now: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.data_dir = settings.ensure_dirs()
        self.now = now
        core = build_core(settings, now)
        self.db = core.db
        self.county: County = core.county
        self.calendar = core.calendar
        self.auth = AuthService(
            self.db,
            now,
            token_ttl=timedelta(minutes=settings.token_ttl_minutes),
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
            cache_seconds=settings.auth_cache_seconds,
        )
        self.tickets = core.tickets
        self.attachments = AttachmentService(self.tickets, self.data_dir / "attachments")
        self.users = UserService(self.db, now, on_revoke=self.auth.forget_user)
        self.selfservice_limiter = RateLimiter(self.db, now, limit=settings.selfservice_rate_per_minute)
        self.kb = KnowledgeService(self.db, now)
        self.kb_index = KnowledgeIndex(self.db, self.data_dir / "indexes" / "kb", now, tz=self.county.timezone,
                                       user_words=self.county.lexicon(), dense=settings.kb_dense)
        self.kb_desk = KnowledgeDesk(self.db, self.kb_index, now,
                                     answer_thresholds={"selfservice": settings.kb_selfservice_answer_threshold})
        self.field_extractor = FieldExtractor(self.county.raw)
        self.calls = CallService(self.db, now, self.kb_desk, drafter=self.draft)
        self.quality = QualityService(self.db, now, QaScorer(category=self._qa_category))
        self.calls.on_end.append(self._score_after_call)
        self.call_audio = CallAudio(self.db, self.data_dir / "recordings")
        self.speech = SpeechService(self.calls, engine=settings.asr_engine, data_dir=self.data_dir / "models",
                                    model_dir=settings.asr_model_dir, agent_channel=settings.asr_agent_channel,
                                    gazetteer_words=self.county.lexicon(), live_interim_s=settings.asr_live_interim_s)
        self.catalogue = CatalogueService(self.db, now)
        self.corrections = CorrectionService(self.db, now)
        self.routing = RoutingService(self.county, self.data_dir, kb_categories=self._kb_categories,
                                      use_embeddings=settings.kb_dense, catalogue=self.catalogue,
                                      history=self.corrections.training_rows)
        self.callback_reader = CallbackOutcomeReader()
        self.callbacks = CallbackDesk(self.db, self.tickets, self.calendar, self.county.callback_policy, now,
                                      reader=self._read_callback, scripter=self._callback_script,
                                      hotline_name=f"{self.county.name}{self.county.raw.get('hotline', '12345')}热线")
        self.hotspots = HotspotService(self.db, self.county, self.tickets, now)
        self.reports = ReportService(self.db, self.county, self.hotspots.policy, now)
        self.governance = Governance(self.db, self.tickets, self.county.directory, now,
                                     use_embeddings=settings.kb_dense,
                                     background=settings.governance_background,
                                     follower_dir=self.data_dir if settings.governance_process else None)
        self.follower = FollowerSupervisor(settings) if settings.governance_process else None
        self.scheduler = Scheduler(self.db, self.county, now, interval_s=settings.scheduler_interval_s,
                                   lease_s=settings.scheduler_lease_s)
        self.scheduler.jobs.append(self.hotspots.scheduled_scan)
        self.started_at = now()

    def _score_after_call(self, call_id: int) -> None:
        text = self.calls.recent_caller_text(call_id)
        kb_answer = None
        if text and self.kb_index.ready:
            answer = self.kb_index.answer(text, k=1)
            kb_answer = answer.suggestions[0].answer if answer.suggestions and answer.mode != "none" else None
        self.quality.score_call(call_id, kb_answer=kb_answer)

    def _qa_category(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """The category model in use, for QA's category-consistency item (no answer: item not applied)."""
        from classifiers.qa.category import ranker

        try:
            return ranker(self.routing.category_model())(texts)
        except Exception:  # noqa: BLE001 - QA stands without the classifier
            log.exception("category model unavailable for QA")
            return []

    def _kb_categories(self) -> dict[str, list[str]]:
        """Level-one categories of the published knowledge base, with their questions."""
        groups: dict[str, list[str]] = {}
        for doc in published_documents(self.db):
            top = (doc.meta.get("category") or "").split("/")[0]
            if top:
                groups.setdefault(top, []).append(doc.title)
        return groups

    def draft(self, turns: list[dict[str, Any]] | str, call_time: datetime) -> dict[str, Any]:
        """智能填单: the ticket draft from a transcript or a written message."""
        local = call_time.astimezone(self.county.timezone)
        draft = self.field_extractor.run(turns, local).to_dict()
        text = turns if isinstance(turns, str) else "。".join(
            t["text"] for t in turns if t.get("speaker") != "agent")
        if text.strip():
            try:
                found = self.routing.classify(text[-2000:])
            except Exception:  # noqa: BLE001 - the draft stands without the classifiers
                log.exception("classification for the draft failed")
                return draft
            for slot in ("appeal_type", "urgency", "category"):
                pred = found.get(slot)
                if pred:
                    value = pred.get("path") or pred["label"] if slot == "category" else pred["label"]
                    draft[slot] = {"value": list(value) if isinstance(value, list | tuple) else value,
                                   "confidence": pred["confidence"], "spans": [], "source": "classifier"}
        return draft

    def _read_callback(self, transcript: str, keys: str) -> dict[str, Any]:
        from dataclasses import asdict

        outcome = self.callback_reader.run(keys=keys) if keys else self.callback_reader.run(transcript)
        data = asdict(outcome)
        data["reopen_suggested"] = outcome.reopen
        return data

    @staticmethod
    def _callback_script(*, caller: str, appeal: str, reply: str, agent: str, hotline: str) -> str:
        return callback_script(caller, appeal, reply, agent, hotline)

    def migrate(self) -> None:
        upgrade(self.db)

    def init(self, *, demo: bool) -> dict[str, int]:
        """Create or upgrade the schema and load the county (with demo users when ``demo``)."""
        self.migrate()
        counts = seed_county(self.db, self.county, self.now, with_users=demo)
        self.tickets.units.forget()
        counts["catalogue_lines_added"] = self.catalogue.seed(self.county.directory / "catalogue.csv")
        if demo:
            counts["articles_added"] = seed_knowledge_base(self.kb, self.county)
        return counts

    def start(self, *, scheduler: bool | None = None) -> None:
        self.migrate()
        seed_county(self.db, self.county, self.now, with_users=False)
        self.tickets.units.forget()
        self.catalogue.seed(self.county.directory / "catalogue.csv")
        if self.settings.scheduler_enabled if scheduler is None else scheduler:
            self.scheduler.start()
        self.governance.start()
        if self.follower is not None:
            self.follower.start()
        if self.settings.warm_up_models:
            # models load in the background: tickets are accepted from the first second, and each
            # capability reports itself in /health as it becomes ready
            self._warm_thread = threading.Thread(target=self.warm_up, name="hotline-warm-up", daemon=True)
            self._warm_thread.start()

    def warm_up(self) -> None:
        """Load every model once (a failure makes that capability report why, not the service fail)."""
        try:
            self.field_extractor.warm_up()
        except Exception as exc:  # noqa: BLE001
            log.exception("form filling failed to load: %s", exc)
        try:
            self.routing.warm_up()
            self.routing.learn_from_returns(self.db)
        except Exception as exc:  # noqa: BLE001
            self.routing.error = f"分类派单模型不可用：{exc}"
            log.exception("routing failed to load")
        try:
            self.quality.scorer.warm_up()
        except Exception as exc:  # noqa: BLE001
            log.exception("quality scorer failed to load: %s", exc)
        try:
            self.kb_index.warm_up()
        except Exception as exc:  # noqa: BLE001 - the rest of the service must still start
            self.kb_index.error = f"知识库索引不可用：{exc}"
            log.exception("knowledge index failed to load")
        try:
            self.governance.warm_up()
        except Exception as exc:  # noqa: BLE001 - detection goes on with character n-grams
            log.exception("governance warm-up failed: %s", exc)

    def stop(self) -> None:
        self.scheduler.stop()
        self.governance.stop()
        if self.follower is not None:
            self.follower.stop()
        self.db.dispose()

    def capabilities(self) -> dict[str, Any]:
        """What works now and what does not, with the reason (for the health endpoint)."""
        caps: dict[str, Any] = {}
        try:
            caps["database"] = {"ok": True, "latency_ms": round(self.db.ping(), 2),
                                "backend": "sqlite" if self.db.is_sqlite else "postgresql"}
        except AssistantError as exc:
            caps["database"] = {"ok": False, "reason": str(exc)}
        caps["scheduler"] = {
            "ok": self.scheduler.last_error is None,
            "running": self.scheduler._thread is not None,
            "leader": self.scheduler.leader,  # this process holds the lease (one across all workers)
            "holder": self.scheduler.holder,
            "last_run": self.scheduler.last_run.isoformat() if self.scheduler.last_run else None,
            "reason": self.scheduler.last_error,
        }
        first, last = covered_years()
        year = self.now().astimezone(self.county.timezone).year
        calendar: dict[str, Any] = {"ok": True, "years": [first, last], "fallback": self.calendar.fallback}
        if last <= year:
            calendar["warning"] = (
                f"法定节假日日历只收录到 {last} 年；之后的日期"
                + ("按周末计算，请在县级配置中补录节假日安排或升级 chinesecalendar"
                   if self.calendar.fallback == "weekends" else "将无法计算工作日，请升级 chinesecalendar")
            )
        caps["calendar"] = calendar
        caps["asr"] = {"ok": self.speech.error is None, "engine": self.settings.asr_engine,
                       "ready": self.speech.ready, "reason": self.speech.error, "live": self.speech.live_stats()}
        caps["routing"] = {"ok": self.routing.error is None, "reason": self.routing.error,
                           "category_model": self.routing.models.current() or "cold_start"}
        caps["knowledge_base"] = {"ok": self.kb_index.error is None, "ready": self.kb_index.ready,
                                  "reason": self.kb_index.error}
        caps["governance"] = self.governance.capability()
        caps["offline"] = offline_status()  # hubs and telemetry switched off in this process
        return caps
