"""Tickets (工单) and their workflow: numbering, state machine, deadlines, access, audit."""
