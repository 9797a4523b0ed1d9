"""The registry engine behind the facade :class:`sanctrack.Registry` (:mod:`sanctrack._registry`).

Objects split by the data they hold:

* :mod:`~sanctrack._index.timeline` — one measure: its records in canonical
  order, its knowledge epochs, its state runs (the one place the state machine
  is replayed) and its legality check;
* :mod:`~sanctrack._index.runs` — the compact store of one measure's runs in one
  epoch, and their answers, made on first use and kept;
* :mod:`~sanctrack._index.catalog` — one registry: its records by id, its
  timelines, and the indexes that do not depend on a knowledge date;
* :mod:`~sanctrack._index.view` — one knowledge date: the whole-registry indexes
  (changes, in force, screening), each built once.

The questions, each a module of plain functions over those objects:

* :mod:`~sanctrack._index.point` — one measure on one date, and the
  facts/projection marks of every answer;
* :mod:`~sanctrack._index.inforce` — who is in force on a day (one path
  choice: :func:`~sanctrack._index.inforce.in_force_path`);
* :mod:`~sanctrack._index.screen` — bulk screening (one path choice:
  :func:`~sanctrack._index.screen.screen_path`);
* :mod:`~sanctrack._index.changes` — transitions in a date range, and ``diff``;
* :mod:`~sanctrack._index.lineage` — history, explain, compare, the deals.

And :mod:`~sanctrack._index.build` (a catalog from records, with every check)
and :mod:`~sanctrack._index.accel` (the optional numpy accelerator: the only
module that imports numpy).
"""
