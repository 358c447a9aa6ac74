"""hot spots, sensor events, linkage and reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 08:30:00
"""
from __future__ import annotations

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled by the work that owns this revision


def downgrade() -> None:
    pass
