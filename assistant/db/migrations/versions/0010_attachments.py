"""ticket attachments

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 08:30:00
"""
from __future__ import annotations

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled by the work that owns this revision


def downgrade() -> None:
    pass
