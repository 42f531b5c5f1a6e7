"""The queue: jobs on RQ and Redis (submit, state, events, limits, metrics), the worker that runs
them with its one model, and the embedded Redis; the whole service is run by summarizer/serve.py."""
