"""The queue: jobs on RQ and Redis (submit, state, events, limits, metrics), the worker that runs
them with its one model, and the supervisor that runs the whole service (`summarizer serve`)."""
