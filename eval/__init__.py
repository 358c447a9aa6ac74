"""Every evaluation and benchmark of the project: ``python -m eval TASK``.

Each task lives in ``eval/tasks/<name>.py`` and defines ``add_arguments(parser)`` and
``run(args) -> dict``. The runner prints a readable report and, with ``--json``, the figures as
one JSON object on the last line (the contract in ``../shared/data/README.md``).
"""
