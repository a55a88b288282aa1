"""The soak test: many processes on one database for a while, with faults, then checks (``make soak``).

N worker processes run a mixed workload through the public API (submit, forward, assign, follow-up, reply,
view, list, stats) while a sweeper process calls ``desk.sweep()`` every few seconds, all on one clock running
fast (43,200x by default: a real second is half a day) so that the sweep breaches and closes complaints.
Meanwhile a random worker (or the sweeper) is killed with ``kill -9`` and restarted now and then, and the
database gets its fault (see :mod:`benchmarks.soak._backends`). At the end the soak checks that every
acknowledged complaint is stored, every history verifies, no event time runs backwards, no row is orphaned,
nothing hung, and that every error was lapor_core's own (see :mod:`benchmarks.soak._report`); it prints
throughput and latency percentiles per operation and failures by kind, and exits 1 when a check failed.

It is not part of ``make test``: run ``make soak`` (SQLite, 4 workers, 60 s), or for example
``make soak SOAK_ARGS="--backend postgresql --workers 8 --seconds 240 --speed 14400"``;
``python -m benchmarks.soak --help`` lists the options. Defaults can also come from ``LAPOR_SOAK_WORKERS``,
``LAPOR_SOAK_SECONDS`` and ``LAPOR_SOAK_BACKENDS``.
"""
