#!/usr/bin/env python3
"""A coscale worker in Python: standard library plus boto3.

Protocol (docs/API.md): claim the task before the first receive (in protect mode it is protected from then
until coscale answers `exit`); long-poll the queue; on a message claim again (a heartbeat), work the job while
a heartbeat renews protection and the message's visibility, delete it, poll again with a short wait; when
nothing comes, release and obey coscale: `exit` (exit 0), `continue` (poll again) or `stay` (keep polling as
warm capacity). A claim answered `"drain": true` (a task of an older deployment) means: release after the
current job instead of polling again; coscale then answers `exit` and ECS replaces the task.

Every setting comes from the environment, so the same file runs on ECS and as a local-mode task:
  COSCALE_URL                    coscale's base URL (required)
  QUEUE_URL                      the pool's SQS queue URL (required)
  ECS_CONTAINER_METADATA_URI_V4  set by ECS (and by coscale's local emulator); the task ARN comes from it
  COSCALE_TOKEN                  bearer token with role `worker` (optional when auth is off)
  AWS_ENDPOINT_URL_SQS           SQS endpoint override; only local mode sets it
  HEARTBEAT_SECONDS              heartbeat period (default 60); visibility is extended to 3 periods
  FIRST_WAIT_SECONDS             long-poll wait before the first job and after a release (default 20)
  NEXT_WAIT_SECONDS              wait right after a job, before releasing (default 1)
  STAY_WAIT_SECONDS              pause between polls while told to `stay` (default 5)
  STOP_GRACE_SECONDS             after SIGTERM, how long the running job may go on before its message is given
                                 back (visibility 0) and the worker exits (default 20); keep it below the task
                                 definition's stopTimeout (ECS default 30 s, Fargate max 120 s), leaving a few
                                 seconds for the give-back before SIGKILL
  COSCALE_LOCAL_JOB_EVENTS=1     report each message's received/deleted/failed/returned to the local
                                 emulator's /jobs endpoint (busy counts from the receive, not the claim)

  COSCALE_MAX_ATTEMPTS           give up (exit 1) after this many failed tries of one call; default: never

SIGTERM (a scale-in of an unprotected task, a deployment, a Spot interruption, a host retirement, StopTask): the
worker takes no new job; the running one may finish within STOP_GRACE_SECONDS (then its message is deleted as
usual); past that deadline its message is given back (ChangeMessageVisibility 0) so that another task picks the job
up at once, instead of after the visibility timeout, and the worker exits 0 before ECS's SIGKILL. A Spot
interruption gives a 2-minute notice; with stopTimeout 120 and STOP_GRACE_SECONDS about 100, short jobs still finish.
A job given back this way runs again from the start elsewhere: jobs must be idempotent (SQS delivers at least once).

Exit codes: 0 when coscale says `exit` or after SIGTERM; 1 when this task is not a managed task (403),
the token or configuration is wrong, or (only with COSCALE_MAX_ATTEMPTS) coscale stays unreachable.
"""

import json
import logging
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

log = logging.getLogger("worker")


class Fatal(Exception):
    """A failure retrying cannot fix: the worker exits non-zero."""


class Retryable(Exception):
    """A failure worth another try: connection error, timeout, 5xx or 429."""


class JobFailed(Exception):
    """The job itself failed; its message is left to reappear (and reach the dead-letter queue)."""


# --- coscale's API -------------------------------------------------------------------------------------

class Coscale:
    """POST /v1/claim and /v1/release with retries (exponential backoff, full jitter).

    `attempts=None` retries transient failures forever: an idle worker waiting for coscale loses nothing,
    and exiting would only make ECS replace it (and, on a new service, keep a deployment from settling).
    """

    def __init__(self, base_url, token=None, attempts=None, base_delay=0.2, max_delay=10.0, timeout=10.0,
                 sleep=time.sleep):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.timeout = timeout
        self.sleep = sleep

    def claim(self, task_arn):
        return self._post("/v1/claim", {"taskArn": task_arn})

    def release(self, task_arn):
        return self._post("/v1/release", {"taskArn": task_arn})

    def _post(self, path, body):
        attempt = 0
        while True:
            try:
                return self._post_once(path, body)
            except Retryable as e:
                attempt += 1
                if self.attempts is not None and attempt >= self.attempts:
                    raise Fatal(f"coscale {path} still failing after {self.attempts} attempts: {e}") from e
                delay = random.uniform(0, min(self.max_delay, self.base_delay * 2 ** min(attempt - 1, 16)))
                log.warning("coscale %s: %s; retrying in %.1fs", path, e, delay)
                self.sleep(delay)

    def _post_once(self, path, body):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        request = urllib.request.Request(self.base_url + path, data=json.dumps(body).encode(),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            detail = _problem_detail(e)
            if e.code == 429 or e.code >= 500:
                raise Retryable(f"HTTP {e.code} {detail}") from e
            if e.code == 403:
                raise Fatal(f"coscale refused {path} (403): this task is not a live task of a managed pool's "
                            f"service, or the token lacks role worker. {detail}") from e
            if e.code == 401:
                raise Fatal(f"coscale refused {path} (401): set COSCALE_TOKEN to a token with role worker") from e
            raise Fatal(f"coscale {path} answered HTTP {e.code}: {detail}") from e
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            raise Retryable(str(getattr(e, "reason", e))) from e


def _problem_detail(error):
    try:
        problem = json.loads(error.read() or b"{}")
        return problem.get("detail") or problem.get("title") or ""
    except (ValueError, OSError):
        return ""


# --- the task's identity -------------------------------------------------------------------------------

def task_arn_from_metadata(metadata_uri, attempts=5, sleep=time.sleep):
    """The TaskARN of $ECS_CONTAINER_METADATA_URI_V4/task; retried, the agent may not be ready at start."""
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(metadata_uri.rstrip("/") + "/task", timeout=5) as response:
                return json.loads(response.read())["TaskARN"]
        except (urllib.error.URLError, TimeoutError, ConnectionError, KeyError, ValueError) as e:
            if attempt == attempts - 1:
                raise Fatal(f"cannot read the task ARN from {metadata_uri}/task: {e}") from e
            sleep(0.5 * 2 ** attempt)
    raise AssertionError("unreachable")


def report_job_event(metadata_uri, event):
    """Tells coscale's local emulator what became of a message (its stats); only with COSCALE_LOCAL_JOB_EVENTS=1.

    `received` as soon as ReceiveMessage returned it (the task is busy from then on, claim or not), then one of
    `deleted` (job done), `failed` (left to SQS's redrive) or `returned` (given back with visibility 0).
    """
    if os.environ.get("COSCALE_LOCAL_JOB_EVENTS") != "1" or not metadata_uri:
        return
    try:
        request = urllib.request.Request(metadata_uri.rstrip("/") + "/jobs", method="POST",
                                         data=json.dumps({"event": event}).encode(),
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=2).close()
    except Exception as e:  # noqa: BLE001 - statistics only; never let them fail a job
        log.debug("job event %s not reported: %s", event, e)


# --- jobs ----------------------------------------------------------------------------------------------

def run_job(body, stopping):
    """The example's job semantics; replace with your own. Raises JobFailed to leave the message be.

    The body is JSON: {"seconds": n} works n seconds, {"fail": true} fails. Anything else is done at once.
    `stopping` is set on SIGTERM; a long job may look at it to give up early (its message then reappears).
    """
    try:
        job = json.loads(body)
    except ValueError:
        job = body
    if isinstance(job, dict):
        if job.get("fail"):
            raise JobFailed("the job asked to fail")
        seconds = float(job.get("seconds", 0))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            # Finishes its sleep even when stopping: the worker gives the message back if the grace runs out.
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


# --- heartbeat -----------------------------------------------------------------------------------------

class Heartbeat:
    """While a job runs: every `period` s, renew protection (a repeated claim) and extend visibility.

    Visibility is extended to three periods, so one missed beat does not hand the job to another worker,
    and a worker that dies lets its job reappear within three periods.
    """

    def __init__(self, coscale, sqs, queue_url, task_arn, receipt_handle, period):
        self.coscale, self.sqs, self.queue_url = coscale, sqs, queue_url
        self.task_arn, self.receipt_handle, self.period = task_arn, receipt_handle, period
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()

    def _run(self):
        while not self._done.wait(self.period):
            try:
                self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=self.receipt_handle,
                                                   VisibilityTimeout=int(min(43200, 3 * self.period)))
            except Exception as e:  # noqa: BLE001 - the next beat tries again
                log.warning("heartbeat: cannot extend visibility: %s", e)
            try:
                self.coscale.claim(self.task_arn)
            except Exception as e:  # noqa: BLE001 - a lapse only risks protection, which the next beat renews
                log.warning("heartbeat: cannot renew protection: %s", e)


# --- the loop ------------------------------------------------------------------------------------------

class Worker:
    def __init__(self, coscale, sqs, queue_url, task_arn, metadata_uri=None, heartbeat_seconds=60.0,
                 first_wait=20, next_wait=1, stay_wait=5.0, job=run_job, stopping=None, stop_grace=20.0):
        self.coscale, self.sqs, self.queue_url, self.task_arn = coscale, sqs, queue_url, task_arn
        self.metadata_uri = metadata_uri
        self.heartbeat_seconds = heartbeat_seconds
        self.first_wait, self.next_wait, self.stay_wait = first_wait, next_wait, stay_wait
        self.job = job
        self.stopping = stopping if stopping is not None else threading.Event()
        self.stop_grace = stop_grace
        self.stop_deadline = None
        self.max_receives = max_receive_count(sqs, queue_url)

    def stop(self, *_):
        """SIGTERM: take no new work; the running job has `stop_grace` seconds left, then its message goes back."""
        log.info("stop signal: the current job has %.0fs to finish, then its message goes back", self.stop_grace)
        if self.stop_deadline is None:
            self.stop_deadline = time.monotonic() + self.stop_grace
        self.stopping.set()

    def _past_grace(self):
        """Whether a stop signal came and its grace has run out (a stop seen without `stop()`: from now)."""
        if not self.stopping.is_set():
            return False
        if self.stop_deadline is None:
            self.stop_deadline = time.monotonic() + self.stop_grace
        return time.monotonic() >= self.stop_deadline

    def run(self):
        """Returns the exit code: 0 for `exit` or a stop signal. Raises Fatal for a real failure."""
        wait = self.first_wait
        # Before the first receive: protected from here until coscale answers exit, so no message this task
        # takes is ever in an unprotected task's hands.
        self.drain = bool(self.coscale.claim(self.task_arn).get("drain"))
        while not self.stopping.is_set():
            messages = [] if self.drain else self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=wait,
                AttributeNames=["ApproximateReceiveCount"]).get("Messages", [])
            for _ in messages:
                report_job_event(self.metadata_uri, "received")
            if self.stopping.is_set():
                # Received after the stop signal: never started, so hand it straight back to the queue.
                for message in messages:
                    self._give_back(message)
                return 0
            if messages:
                self._work(messages[0])
                wait = self.next_wait
                continue
            decision = self.coscale.release(self.task_arn)
            verdict = decision.get("decision")
            log.info("release: %s (desiredCount %s, %s)", verdict, decision.get("desiredCount"), decision.get("reason"))
            if verdict == "exit":
                return 0
            self.drain = False  # coscale kept it after all: poll again
            if verdict == "stay":
                # Warm capacity: nothing changed, so pause between releases instead of asking again at once.
                self.stopping.wait(self.stay_wait)
            elif verdict != "continue":
                raise Fatal(f"coscale answered an unknown decision: {decision}")
            wait = self.first_wait
        return 0

    def _work(self, message):
        try:
            # The heartbeat: busy in coscale's status, protection renewed when due, and the drain flag.
            self.drain = bool(self.coscale.claim(self.task_arn).get("drain"))
        except Fatal:
            self._give_back(message)  # e.g. 403: this task may not work jobs; let another worker have it
            raise
        try:
            with Heartbeat(self.coscale, self.sqs, self.queue_url, self.task_arn, message["ReceiptHandle"],
                           self.heartbeat_seconds):
                finished = self._run_within_grace(message.get("Body", ""))
            if not finished:
                log.info("stop grace over: giving job %s back to the queue", message.get("MessageId"))
                self._give_back(message)
                return
        except Exception as e:  # noqa: BLE001 - any job error leaves the message for a retry
            log.warning("job %s failed, leaving it to reappear: %s", message.get("MessageId"), e)
            report_job_event(self.metadata_uri, "failed")
            self._after_last_try(message)
            return
        self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        report_job_event(self.metadata_uri, "deleted")

    def _run_within_grace(self, body):
        """Runs the job on a thread of its own; False when a stop signal's grace ran out first (the job thread is
        abandoned: the process exits right after). Re-raises the job's own error."""
        outcome = {}

        def work():
            try:
                self.job(body, self.stopping)
            except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
                outcome["error"] = e

        thread = threading.Thread(target=work, name="job", daemon=True)
        thread.start()
        while thread.is_alive():
            if self._past_grace():
                return False
            thread.join(0.05)
        if "error" in outcome:
            raise outcome["error"]
        return True

    def _after_last_try(self, message):
        """After a job's last try (receive count at the redrive policy's maxReceiveCount), hand its message back at
        once: this worker's next receive moves it to the dead-letter queue. Left to its visibility timeout, it would
        come back to an idle pool and cost a task start only to be moved."""
        count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "0") or 0)
        if not self.max_receives or count < self.max_receives:
            return  # more tries to come: the visibility timeout is the back-off between them
        try:
            self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"],
                                               VisibilityTimeout=0)
        except Exception as e:  # noqa: BLE001 - then it reaches the dead-letter queue one timeout later
            log.warning("cannot hand message %s back after its last try: %s", message.get("MessageId"), e)

    def _give_back(self, message):
        try:
            self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"],
                                               VisibilityTimeout=0)
        except Exception as e:  # noqa: BLE001 - it reappears after the visibility timeout anyway
            log.warning("cannot hand message %s back: %s", message.get("MessageId"), e)
            return
        report_job_event(self.metadata_uri, "returned")


def max_receive_count(sqs, queue_url):
    """The queue's redrive policy's maxReceiveCount; 0 without one (or when it cannot be read)."""
    try:
        policy = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])
        return int(json.loads(policy.get("Attributes", {}).get("RedrivePolicy", "{}")).get("maxReceiveCount", 0))
    except Exception as e:  # noqa: BLE001 - without it every failed job just waits out its timeout
        log.info("no redrive policy read for %s: %s", queue_url, e)
        return 0


# Left of a stop timeout for giving the message back and exiting once the job's grace is over, at most.
STOP_MARGIN_SECONDS = 10


def stop_grace_seconds(environ):
    """How long the job in hand may go on after SIGTERM: STOP_GRACE_SECONDS when set; else, when the task
    definition says its stop timeout (STOP_TIMEOUT_SECONDS, which worker-pool.yaml sets from StopTimeout or
    Ec2StopTimeout), that less STOP_MARGIN_SECONDS (half of it, for timeouts under 20 s); else 20."""
    if environ.get("STOP_GRACE_SECONDS"):
        return float(environ["STOP_GRACE_SECONDS"])
    if environ.get("STOP_TIMEOUT_SECONDS"):
        timeout = float(environ["STOP_TIMEOUT_SECONDS"])
        return max(timeout - STOP_MARGIN_SECONDS, timeout / 2)
    return 20.0


def _env(name, default=None):
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise Fatal(f"environment variable {name} is required")
    return value


def main():
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(message)s")
    # Handlers first: importing boto3 takes a second or more, and ECS may stop a task that is still starting
    # (a scale-in picks any unprotected task). Without a handler, SIGTERM kills it with 143, as a failure.
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        import boto3  # imported here so that the unit tests need no boto3

        metadata_uri = _env("ECS_CONTAINER_METADATA_URI_V4")
        queue_url = _env("QUEUE_URL")
        attempts = os.environ.get("COSCALE_MAX_ATTEMPTS")
        coscale = Coscale(_env("COSCALE_URL"), os.environ.get("COSCALE_TOKEN") or None,
                          attempts=int(attempts) if attempts else None)
        # boto3 1.28+ reads AWS_ENDPOINT_URL_SQS itself, but Debian 12's python3-boto3 (1.26) does not,
        # and botocore reads only AWS_DEFAULT_REGION, not AWS_REGION: both are passed explicitly.
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        endpoint = os.environ.get("AWS_ENDPOINT_URL_SQS") or os.environ.get("AWS_ENDPOINT_URL") or None
        sqs = boto3.client("sqs", region_name=region, endpoint_url=endpoint)
        worker = Worker(coscale, sqs, queue_url, task_arn_from_metadata(metadata_uri), metadata_uri,
                        heartbeat_seconds=float(_env("HEARTBEAT_SECONDS", "60")),
                        first_wait=int(_env("FIRST_WAIT_SECONDS", "20")),
                        next_wait=int(_env("NEXT_WAIT_SECONDS", "1")),
                        stay_wait=float(_env("STAY_WAIT_SECONDS", "5")), stopping=stopping,
                        stop_grace=stop_grace_seconds(os.environ))
        if stopping.is_set():
            log.info("stop signal during start-up: exiting without taking work")
            return 0
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, worker.stop)
        log.info("worker %s on %s", worker.task_arn, queue_url)
        return worker.run()
    except Fatal as e:
        log.error("%s", e)
        return 1
    except Exception:  # noqa: BLE001 - e.g. SQS unreachable after boto3's own retries
        log.exception("worker failed")
        return 1


def ignore_stop_signals():
    """Called once the exit code is known: nothing is left to stop.

    While the interpreter shuts down, Python puts back the default action of every signal it handled, so a
    SIGTERM arriving then would turn a clean exit into 143. One often does arrive: after an `exit` decision
    lowered desiredCount, ECS may pick this very task (unprotected now, and still running) to stop.
    """
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)


if __name__ == "__main__":
    code = main()
    ignore_stop_signals()
    sys.exit(code)
