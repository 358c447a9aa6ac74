"""hot spots, sensor events, linkage and reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 08:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assistant.db.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_dt = assistant.db.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'hotspot_warnings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('period_start', _dt, nullable=False),
        sa.Column('period_end', _dt, nullable=False),
        sa.Column('category', sa.String(length=64), nullable=False),
        sa.Column('township', sa.String(length=64), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expected', sa.Float(), nullable=False),
        sa.Column('baseline', sa.Float(), nullable=False),
        sa.Column('seasonal_factor', sa.Float(), nullable=False),
        sa.Column('z_score', sa.Float(), nullable=False),
        sa.Column('p_value', sa.Float(), nullable=False),
        sa.Column('level', sa.String(length=8), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', _dt, nullable=False),
        sa.Column('acknowledged_by', sa.String(length=64), nullable=False),
        sa.Column('acknowledged_at', _dt, nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('period', 'period_start', 'category', 'township', name='uq_hotspot_warning_once'),
    )
    op.create_index('ix_hotspot_warnings_status', 'hotspot_warnings', ['status', 'period_start'])
    op.create_table(
        'sensor_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('external_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('township', sa.String(length=64), nullable=False),
        sa.Column('village', sa.String(length=64), nullable=False),
        sa.Column('address_detail', sa.String(length=256), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('occurred_at', _dt, nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('created_at', _dt, nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source', 'external_id', name='uq_sensor_event_external'),
    )
    op.create_index('ix_sensor_events_place_time', 'sensor_events', ['township', 'occurred_at'])
    op.create_table(
        'linkage_orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('system', sa.String(length=8), nullable=False),
        sa.Column('external_no', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=128), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('township', sa.String(length=64), nullable=False),
        sa.Column('village', sa.String(length=64), nullable=False),
        sa.Column('address_detail', sa.String(length=256), nullable=False),
        sa.Column('occurred_at', _dt, nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('imported_at', _dt, nullable=False),
        sa.Column('imported_by', sa.String(length=64), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('match_score', sa.Float(), nullable=True),
        sa.Column('match_reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('system', 'external_no', name='uq_linkage_order_external'),
    )
    op.create_index('ix_linkage_orders_ticket', 'linkage_orders', ['ticket_id'])
    op.create_index('ix_linkage_orders_place_time', 'linkage_orders', ['township', 'occurred_at'])
    # dashboard and report queries over large ticket tables (python -m eval bench-governance):
    # a covering index for volumes by day × township × top-level category, one for place + time
    # matching (sensor events, linkage), one for the per-unit report figures
    if op.get_bind().dialect.name == 'sqlite':
        # the JSON column itself, so the index covers the query on every SQLite version
        op.execute("CREATE INDEX ix_tickets_hot_volume ON tickets (created_at, township, category)")
    else:
        op.execute("CREATE INDEX ix_tickets_hot_volume ON tickets (created_at, township, (category ->> 0))")
    op.create_index('ix_tickets_township_created', 'tickets', ['township', 'created_at'])
    op.create_index('ix_tickets_dispatched_unit', 'tickets', ['dispatched_at', 'lead_unit_id'])


def downgrade() -> None:
    op.drop_index('ix_tickets_dispatched_unit', table_name='tickets')
    op.drop_index('ix_tickets_township_created', table_name='tickets')
    op.execute("DROP INDEX ix_tickets_hot_volume")
    op.drop_table('linkage_orders')
    op.drop_table('sensor_events')
    op.drop_table('hotspot_warnings')
