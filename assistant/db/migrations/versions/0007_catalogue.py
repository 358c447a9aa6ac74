"""catalogue and classification feedback

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 08:30:00
"""
from __future__ import annotations

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled by the work that owns this revision


def downgrade() -> None:
    pass
