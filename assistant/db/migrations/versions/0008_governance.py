"""governance cases and repeated appeals

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 08:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assistant.db.models

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_T = assistant.db.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'governance_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('master_ticket_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=128), nullable=False),
        sa.Column('township', sa.String(length=64), nullable=False),
        sa.Column('caller_key', sa.String(length=64), nullable=False),
        sa.Column('key_supervision', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.JSON(), nullable=False),
        sa.Column('created_at', _T, nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', _T, nullable=False),
        sa.ForeignKeyConstraint(['master_ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_governance_cases_status', 'governance_cases', ['status', 'kind'])
    op.create_table(
        'governance_case_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=8), nullable=False),
        sa.Column('similarity', sa.Float(), nullable=False),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('linked_at', _T, nullable=False),
        sa.Column('linked_by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['governance_cases.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'ticket_id', name='uq_case_ticket'),
    )
    op.create_index('ix_governance_case_links_ticket', 'governance_case_links', ['ticket_id'])
    op.create_table(
        'governance_transfers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('target', sa.String(length=16), nullable=False),
        sa.Column('grounds', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('attachments', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('receiver', sa.String(length=64), nullable=False),
        sa.Column('result', sa.Text(), nullable=False),
        sa.Column('created_at', _T, nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', _T, nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.ForeignKeyConstraint(['case_id'], ['governance_cases.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_governance_transfers_ticket', 'governance_transfers', ['ticket_id'])
    op.create_index('ix_governance_transfers_status', 'governance_transfers', ['status'])
    op.create_table(
        'governance_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=16), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('at', _T, nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=64), nullable=False),
        sa.Column('actor_role', sa.String(length=16), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_governance_events_subject', 'governance_events', ['subject', 'subject_id', 'id'])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER governance_events_no_{verb.lower()} BEFORE {verb} ON governance_events "
                       "BEGIN SELECT RAISE(ABORT, 'governance_events is append-only'); END")
    elif dialect == "postgresql":
        op.execute("CREATE FUNCTION governance_events_append_only() RETURNS trigger AS $$ "
                   "BEGIN RAISE EXCEPTION 'governance_events is append-only'; END; $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER governance_events_append_only BEFORE UPDATE OR DELETE ON governance_events "
                   "FOR EACH ROW EXECUTE FUNCTION governance_events_append_only()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS governance_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS governance_events_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS governance_events_append_only ON governance_events")
        op.execute("DROP FUNCTION IF EXISTS governance_events_append_only()")
    op.drop_index('ix_governance_events_subject', table_name='governance_events')
    op.drop_table('governance_events')
    op.drop_index('ix_governance_transfers_status', table_name='governance_transfers')
    op.drop_index('ix_governance_transfers_ticket', table_name='governance_transfers')
    op.drop_table('governance_transfers')
    op.drop_index('ix_governance_case_links_ticket', table_name='governance_case_links')
    op.drop_table('governance_case_links')
    op.drop_index('ix_governance_cases_status', table_name='governance_cases')
    op.drop_table('governance_cases')
