"""The registry engine behind :class:`sanctrack.Registry` (see :mod:`sanctrack._registry`)."""
