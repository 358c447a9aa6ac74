"""Backup and restore round trip: every row and every irreplaceable file comes back, into a fresh
data directory, across backends; a restore never overwrites a database in use."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.cli import main as cli
from assistant.backup import backup, metadata, read_manifest, restore
from assistant.config import Settings
from assistant.db.engine import Database
from assistant.errors import ValidationFailed
from assistant.runtime import Hotline
from assistant.tickets.schemas import ActionInput, TicketCreate
from tests.assistant.test_tickets import actor
from tests.conftest import demo_users


def _counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in metadata().sorted_tables}


def _work(hotline: Hotline) -> int:
    agent = actor(hotline, demo_users("agent")[0]["username"])
    unit_user = demo_users("unit_staff")[0]
    unit = actor(hotline, unit_user["username"])
    t = hotline.tickets.create(TicketCreate(
        appeal_type="投诉", title="走马镇白果村路灯不亮", content="村口路灯坏了两个月，晚上娃儿上学看不见路。",
        township="走马镇", village="白果村", caller_number="13972600001", caller_name="张三",
        dispatch={"lead_unit": unit_user["unit_code"]}), agent)
    hotline.tickets.act(t.id, "sign", ActionInput(), unit)
    (hotline.data_dir / "recordings").mkdir(exist_ok=True)
    (hotline.data_dir / "recordings" / "call-1.wav").write_bytes(b"RIFF....WAVEfmt fake but kept")
    return t.id


def test_round_trip_into_a_fresh_sqlite_data_dir(hotline, tmp_path: Path) -> None:
    ticket_id = _work(hotline)
    before = _counts(hotline.db)
    out = tmp_path / "b.tar.gz"
    summary = backup(hotline.db, hotline.data_dir, out, hotline.now)
    assert summary.rows["tickets"] == before["tickets"] >= 1 and summary.files >= 1
    assert read_manifest(out)["revision"] == summary.revision

    target_dir = tmp_path / "restored"
    target = Database(f"sqlite:///{target_dir / 'hotline.db'}")
    try:
        restored = restore(target, target_dir, out)
        assert restored.rows["ticket_events"] == before["ticket_events"]
        assert _counts(target) == before
        assert (target_dir / "recordings" / "call-1.wav").read_bytes() == b"RIFF....WAVEfmt fake but kept"
        with pytest.raises(ValidationFailed, match="已有数据"):
            restore(target, target_dir, out)
    finally:
        target.dispose()

    # the restored service works: the ticket, its audit trail and the logins are all there
    settings = Settings(data_dir=target_dir, scheduler_enabled=False, warm_up_models=False)
    hl = Hotline(settings, now=hotline.now)
    try:
        hl.start(scheduler=False)
        agent = actor(hl, demo_users("agent")[0]["username"])
        assert hl.tickets.get(ticket_id, agent).status == "handling"  # signed for, now in hand
        assert [e.action for e in hl.tickets.history(ticket_id, agent)][:2] == ["create", "dispatch"]
        user = demo_users("agent")[0]
        hl.auth.login(user["username"], user["password"])
    finally:
        hl.stop()


def test_backup_rejects_junk_and_unsafe_paths(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    with pytest.raises(ValidationFailed, match="不是有效的备份文件"):
        read_manifest(junk)
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        manifest = tmp_path / "manifest.json"
        manifest.write_text('{"format": "other"}')
        tar.add(manifest, arcname="manifest.json")
    with pytest.raises(ValidationFailed, match="格式不受支持"):
        read_manifest(evil)


def test_cli_backup_and_restore(hotline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    if not hotline.db.is_sqlite:
        pytest.skip("the CLI round trip runs on the default backend")
    _work(hotline)
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(hotline.data_dir))
    monkeypatch.setenv("HOTLINE_DATABASE_URL", hotline.db.url)
    out = tmp_path / "cli.tar.gz"
    assert cli(["backup", "--out", str(out)]) == 0
    assert "已备份" in capsys.readouterr().out
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.delenv("HOTLINE_DATABASE_URL")
    assert cli(["restore", str(out)]) == 0
    assert "已从" in capsys.readouterr().out
    assert cli(["restore", str(out)]) == 2
    assert "已有数据" in capsys.readouterr().err
