"""A worker: one process, one GPU, one model loaded once, jobs run one at a time.

It runs jobs in its own process (RQ's SimpleWorker: no fork per job), because a CUDA context does
not survive a fork and the model must not be loaded per job. The worker builds its settings and
loads its model once, then hands both to every job as a `Runtime` (RQ's documented `job_class`
extension point): jobs never read the environment, so nothing a job does can load a second model.

A SimpleWorker sends no heartbeats while a job runs, so a killed worker would hold its job for the
whole job timeout; this one beats from a thread every `worker_heartbeat` seconds, which lets any
other worker's maintenance sweep find an abandoned job within seconds and queue it again.

With backend openai the model is a client of an inference server that batches requests, and one
process may run several jobs at once (the map jobs of a long document above all): besides the RQ
worker on the main thread (which owns the signals: SIGTERM lets every job finish), it runs
`model.concurrency - 1` more on threads, named `<name>.2`, `<name>.3`... They share the one
client; their job timeout comes from a timer, since SIGALRM reaches only the main thread.
"""

import dataclasses
import functools
import logging
import os
import socket
import threading
import time

import redis
from rq import SimpleWorker
from rq.job import Job
from rq.timeouts import TimerDeathPenalty

from summarizer.engine.backend import load_backend
from summarizer.errors import UpstreamError
from summarizer.queue import jobs, routing, rqaccess
from summarizer.queue.connection import connect

log = logging.getLogger(__name__)

MISSED_HEARTBEATS = 3
"""Heartbeats a busy worker may miss before its job counts as abandoned."""

IDLE_ROUND_SECONDS = 2
"""How long an idle worker of backend openai (or a job slot on a thread) waits for a job before it
looks again at the upstream (or at a stop request)."""

UPSTREAM_WAIT_SECONDS = 2
"""How often a worker whose inference server is unreachable looks again before taking a job."""

COMMAND_POLL_SECONDS = 1
"""How long the thread that reads the worker's command channel (RQ's pubsub, for "stop the job")
waits per read. RQ waits 60 s, and redis-py 8 joins that thread when the worker stops, so a
SIGTERM took up to a minute to end an idle worker: longer than Kubernetes' 30 s grace period,
and a test worker outlived the test's 60 s wait under load."""


@dataclasses.dataclass(frozen=True)
class Runtime:
    """What a worker hands each job: its settings, its one model, and its name in metrics."""

    settings: object
    model: object
    label: str


class RuntimeJob(Job):
    """An RQ job whose function is called with the worker's Runtime before its payload."""

    runtime = None

    @property
    def func(self):
        function = Job.func.fget(self)
        return functools.partial(function, self.runtime) if self.runtime is not None else function


class SummarizerWorker(SimpleWorker):
    """SimpleWorker that beats while busy, tells waiting jobs their queue position, and hands
    every job its runtime."""

    job_class = RuntimeJob
    idle_rounds = False

    def __init__(self, *args, runtime, own_queue=None, **kwargs):
        settings = runtime.settings
        super().__init__(*args, job_monitoring_interval=settings.worker_heartbeat,
                         worker_ttl=settings.worker_ttl,
                         maintenance_interval=settings.maintenance_interval, **kwargs)
        self.runtime = runtime
        self.own_queue = own_queue
        """The name of the queue only this worker serves (queue/routing.py), or None."""

    def get_heartbeat_ttl(self, job):
        return self.job_monitoring_interval * MISSED_HEARTBEATS

    def _shutdown(self):
        """RQ's warm shutdown, with the request kept first. Idle, RQ stops by raising StopRequested
        from the SIGTERM handler, which lands wherever the main thread is: inside a weakref
        callback or a __del__ Python only prints "Exception ignored", and the worker went on
        serving (a test's worker outlived its 60 s wait). The work loop looks at the request
        each round, so it ends anyway: within IDLE_ROUND_SECONDS where the wait goes in rounds,
        after the next job where it is RQ's own."""
        self._stop_requested = True
        super()._shutdown()

    def subscribe(self):
        """RQ's subscription to the worker's command channel, read in rounds of
        COMMAND_POLL_SECONDS (see there)."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=COMMAND_POLL_SECONDS, daemon=True,
            exception_handler=getattr(self, "_pubsub_exception_handler", None))

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        """RQ's wait for a job. With an inference server (backend openai), a job is taken only
        while the server can be reached: during an outage jobs stay queued, each finished once it
        is back, instead of each failing after its retries (/readyz says why meanwhile); a server
        that answers but refuses (a wrong key) holds nothing back, its jobs fail saying so. The wait
        goes in short rounds, so an outage is seen within seconds, and a job slot on a thread,
        which no signal reaches (RQ's own wait never looks at a stop request), can stop."""
        unavailable = getattr(self.runtime.model, "unavailable", None)
        if timeout is None or not (unavailable or self.idle_rounds):  # burst, or the GGUF here
            return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        waiting = False
        while not self._stop_requested:
            error = unavailable() if unavailable else None
            if error is not None:
                if not waiting:
                    log.warning("%s: no job taken until the upstream answers: %s", self.name,
                                error.message)
                waiting = True
                self.heartbeat()  # alive, only waiting: not a dead worker whose jobs to re-run
                time.sleep(UPSTREAM_WAIT_SECONDS)
                continue
            if waiting:
                log.warning("%s: the upstream answers again", self.name)
                waiting = False
            result = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time=IDLE_ROUND_SECONDS)
            if result is not None:
                return result
        return None

    def execute_job(self, job, queue):
        job.runtime = self.runtime
        if self.own_queue and queue.name != self.own_queue:  # busy now: what waits for us goes on
            routing.hand_back(self.connection, self.runtime.settings, self.own_queue)
        jobs.announce_positions(queue, self.runtime.settings)
        stop = threading.Event()
        beater = threading.Thread(target=self._beat, args=(job, stop), daemon=True,
                                  name="heartbeat")
        beater.start()
        try:
            return super().execute_job(job, queue)
        finally:
            stop.set()
            beater.join()

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        try:
            routing.rescue(self.connection, self.runtime.settings)
        except redis.RedisError as exc:
            log.warning("cannot hand back the queues of gone workers: %s", exc)

    def _beat(self, job, stop):
        while not stop.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job)
            except Exception as exc:  # Redis down: the job's own calls will fail and say so
                log.warning("heartbeat failed: %s", exc)


class ThreadWorker(SummarizerWorker):
    """One more job slot of a worker process, on a thread: no signal handlers (the main thread's
    worker has them and stops this one), and a job timeout by timer instead of SIGALRM."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass

    idle_rounds = True

    def stop_after_current_job(self):
        """Leave the work loop once the current job (if any) is done, or within IDLE_ROUND_SECONDS
        when idle."""
        self._stop_requested = True


def job_slots(model, settings):
    """Jobs this process runs at once: the model's concurrency (1 for a GGUF in process), or the
    setting alone when the upstream cannot be asked now (it may be starting too)."""
    try:
        return model.concurrency
    except UpstreamError as error:
        slots = settings.upstream_concurrency or 1
        log.warning("cannot ask the upstream for its slots (%s); running %d job(s) at once",
                    error.message, slots)
        return slots


def metrics_label(settings, gpu):
    """A name for this worker that survives restarts (RQ's own name is unique per process)."""
    return settings.metrics_label or f"{socket.gethostname()}-gpu{gpu if gpu is not None else 'cpu'}"


def run_worker(settings, gpu=None, burst=False, name=None):
    """Load the model, then serve `settings.queue` until stopped (or, with burst, until empty)."""
    if gpu is not None:
        # Must be set before llama.cpp initialises CUDA, i.e. before the model loads.
        os.environ["CUDA_VISIBLE_DEVICES"] = str(gpu)
    runtime = Runtime(settings, load_backend(settings), metrics_label(settings, gpu))
    connection = connect(settings)
    queue = jobs.queue_for(connection, settings)
    name = name or f"{socket.gethostname()}.{os.getpid()}"
    options = dict(connection=connection, serializer=rqaccess.SERIALIZER, runtime=runtime)
    extra = [ThreadWorker([queue], name=f"{name}.{slot}", **options)
             for slot in range(2, job_slots(runtime.model, settings) + 1)]
    threads = [threading.Thread(target=w.work, kwargs=dict(burst=burst, logging_level="WARNING"),
                                name=w.name, daemon=True) for w in extra]
    for thread in threads:
        thread.start()
    # Only a model in this process keeps readings worth routing to (engine/readings.py).
    own = routing.own_queue(settings, name) if routing.keeps_readings(runtime.model) and not extra else None
    served = [rqaccess.queue(connection, own), queue] if own else [queue]
    worker = SummarizerWorker(served, name=name, own_queue=own, **options)
    log.info("worker %s serving queue %r with %s, %d job(s) at once", worker.name, settings.queue,
             _model_name(runtime.model), 1 + len(extra))
    try:
        # A cold shutdown (SystemExit) leaves at once: the threads are daemons and their jobs are
        # found abandoned by the heartbeat sweep, like those of a killed worker.
        worked = worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")
    finally:
        if own:
            routing.hand_back(connection, settings, own)
    for other in extra:
        other.stop_after_current_job()
    for thread in threads:
        thread.join()
    return worked


def _model_name(model):
    """The model's name for the log; an upstream not reached yet is named by its address."""
    return model.upstream.where if getattr(model, "probed", True) is False else model.name


def worker_alive(connection, queue_name, hostname):
    """True when a worker on `hostname` has a live heartbeat, or Redis is down (not its fault)."""
    try:
        return any(w.hostname == hostname for w in jobs.live_workers(connection, queue_name))
    except redis.RedisError as exc:
        log.warning("cannot check the worker, Redis is unreachable: %s", exc)
        return True
