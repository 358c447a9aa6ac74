"""The hotline's own logic and state: tickets and their workflow, call sessions, governance,
callbacks. Reaches the database through repositories and units of work; knows nothing of HTTP."""

from assistant.offline import lock_offline

lock_offline()  # before any model library is imported through this package
