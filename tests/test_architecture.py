"""The layering contract (import-linter) and the migrations match the models."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assistant.db import call_models, callback_models, kb_models, qa_models  # noqa: F401
from assistant.db.engine import Database
from assistant.db.migrate import upgrade
from assistant.db.models import Base

ROOT = Path(__file__).resolve().parent.parent


def test_import_layers_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is not installed"
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_match_models(db_url: str) -> None:
    db = Database(db_url)
    upgrade(db)
    with db.write_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    # ix_tickets_hot_volume is written by hand per dialect (an expression on PostgreSQL's JSON
    # category), so the models cannot declare it
    diff = [d for d in diff if not (d[0] == "remove_index" and d[1].name == "ix_tickets_hot_volume")]
    assert diff == [], diff
