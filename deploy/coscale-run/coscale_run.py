#!/usr/bin/env python3
"""coscale-run: the whole coscale worker protocol around any command. Python 3.8+ standard library only.

    coscale-run -- <command...>           runs the command once per job
    coscale-run --serve -- <command...>   runs the command once; it takes jobs from a loopback HTTP endpoint

Once per job (the default): the message body on the command's stdin, and in its environment COSCALE_JOB_ID
(the `coscale-job-id` attribute, else the SQS message id), COSCALE_JOB_ATTRIBUTES (the message's String
attributes as a JSON object), COSCALE_RECEIVE_COUNT (1 on the first try) and COSCALE_JOB_DEADLINE (ISO-8601 UTC:
when JOB_TIMEOUT_SECONDS ends; empty without one). Exit 0: the job is done and its message deleted. Any other exit:
the job failed; its message is left to the queue's redrive policy, and given back at once after its last try.

--serve, for programs that keep state between jobs: the command gets COSCALE_RUNTIME_API (host:port on 127.0.0.1)
and loops over three calls, as with the AWS Lambda Runtime API:
    GET  /next    blocks until a job: its body, with headers Coscale-Job-Id, Coscale-Job-Attributes,
                  Coscale-Receive-Count, Coscale-Job-Deadline; 410 when there will be none (exit then)
    POST /done    the job is done (its message is deleted)
    POST /failed  the job failed (left to the redrive policy)

The protocol (docs/API.md): claim before the first receive; claim again on each message and, while the job runs,
every HEARTBEAT_SECONDS together with a visibility extension; release when a poll is empty and obey exit / continue /
stay; `drain` from any claim: release after the current job. On SIGTERM no new job is taken; the running one is
sent SIGTERM and has STOP_GRACE_SECONDS, then its message is given back; no release follows a stop signal. Exit 0
after `exit` or a stop signal (a 403 after it included: coscale refuses a stopping task); 1 when coscale answers
401 or 403 before any stop signal, or a setting is missing.

Environment: COSCALE_URL, QUEUE_URL, ECS_CONTAINER_METADATA_URI_V4 (required); COSCALE_TOKEN; AWS_REGION,
AWS_ENDPOINT_URL_SQS; credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN or the ECS
container credentials endpoint; HEARTBEAT_SECONDS (60), FIRST_WAIT_SECONDS (20), NEXT_WAIT_SECONDS (1),
STAY_WAIT_SECONDS (5), STOP_GRACE_SECONDS (STOP_TIMEOUT_SECONDS less 10 s, or half of it under 20 s; else 20),
JOB_TIMEOUT_SECONDS (none), COSCALE_LOCAL_JOB_EVENTS=1 (local mode's job statistics).
"""

import datetime
import hashlib
import hmac
import http.server
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


def log(message):
    print(time.strftime("%H:%M:%S ") + "coscale-run: " + message, file=sys.stderr, flush=True)


class Fatal(Exception):
    """Retrying cannot fix it: coscale-run exits 1."""


class Retryable(Exception):
    """A connection error, a timeout, a 5xx or a 429: worth another try."""


class Refused(Exception):
    """SQS refused the call (a 4xx: no permission, no such queue, a stale receipt handle): not worth repeating."""


def backoff(attempt, base=0.2, cap=10.0):
    """Exponential backoff with full jitter: a random wait up to base * 2^(attempt-1), at most cap."""
    return random.uniform(0, min(cap, base * 2 ** min(attempt - 1, 16)))


def call_with_retries(call, stop=None, until=None, sleep=time.sleep):
    """Repeats `call` on Retryable until it succeeds, `stop` is set, or monotonic time `until` passes (then the
    last Retryable is raised)."""
    attempt = 0
    while True:
        try:
            return call()
        except Retryable as e:
            attempt += 1
            delay = backoff(attempt)
            if (stop is not None and stop.is_set()) or (until is not None and time.monotonic() + delay >= until):
                raise
            log(f"{e}; again in {delay:.1f}s")
            sleep(delay)


def http_json(url, body=None, headers=None, timeout=10.0, method=None):
    """One HTTP call with a JSON answer. Retryable for a connection failure, a timeout, 429 and 5xx; an
    urllib.error.HTTPError (its body read into .text) for other errors."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        e.text = e.read().decode(errors="replace")
        e.close()
        if e.code == 429 or e.code >= 500:
            raise Retryable(f"{url}: HTTP {e.code} {e.text[:200]}") from e
        raise
    except (urllib.error.URLError, OSError) as e:  # timeouts and resets included
        raise Retryable(f"{url}: {getattr(e, 'reason', e)}") from e


# --- AWS: Signature Version 4, credentials, SQS's JSON protocol ------------------------------------------

def sigv4(method, url, headers, body, access_key, secret_key, region, service, amz_date):
    """The Authorization header of AWS Signature Version 4 for a request whose headers (host and x-amz-date among
    them) are all signed."""
    parts = urllib.parse.urlsplit(url)
    query = sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    canonical_query = "&".join(urllib.parse.quote(k, safe="-_.~") + "=" + urllib.parse.quote(v, safe="-_.~")
                               for k, v in query)
    lower = {k.lower(): " ".join(str(v).strip().split()) for k, v in headers.items()}
    signed = ";".join(sorted(lower))
    canonical = "\n".join([method, urllib.parse.quote(parts.path or "/", safe="/-_.~"), canonical_query,
                           "".join(f"{k}:{lower[k]}\n" for k in sorted(lower)), signed,
                           hashlib.sha256(body).hexdigest()])
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret_key).encode()
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={signature}"


class Credentials:
    """From the environment, else from the ECS container credentials endpoint, fetched again 5 minutes before
    they expire."""

    def __init__(self, env=os.environ):
        self.env, self.current, self.expires, self.lock = env, None, None, threading.Lock()

    def get(self):
        if self.env.get("AWS_ACCESS_KEY_ID") and self.env.get("AWS_SECRET_ACCESS_KEY"):
            return self.env["AWS_ACCESS_KEY_ID"], self.env["AWS_SECRET_ACCESS_KEY"], self.env.get("AWS_SESSION_TOKEN")
        with self.lock:
            if self.current is None or (self.expires is not None and time.time() > self.expires - 300):
                self.current, self.expires = self._fetch()
            return self.current

    def _fetch(self):
        relative, full = self.env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), self.env.get(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI")
        if not relative and not full:
            raise Fatal("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run as an ECS task "
                        "with a task role")
        headers = {}
        token = self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        if self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"):
            with open(self.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]) as f:
                token = f.read().strip()
        if token:
            headers["Authorization"] = token
        answer = call_with_retries(lambda: http_json(
            "http://169.254.170.2" + relative if relative else full, headers=headers, timeout=5))
        expiration = answer.get("Expiration")
        expires = datetime.datetime.fromisoformat(expiration.replace("Z", "+00:00")).timestamp() if expiration else None
        return (answer["AccessKeyId"], answer["SecretAccessKey"], answer.get("Token")), expires


class Sqs:
    """The four SQS calls a worker makes, in SQS's JSON protocol."""

    def __init__(self, queue_url, credentials, region=None, endpoint=None):
        self.queue_url, self.credentials = queue_url, credentials
        parts = urllib.parse.urlsplit(queue_url)
        self.endpoint = (endpoint or f"{parts.scheme}://{parts.netloc}").rstrip("/") + "/"
        hosts = [parts.netloc, urllib.parse.urlsplit(self.endpoint).netloc]
        self.region = region or next((h.split(".")[1] for h in hosts if h.startswith("sqs.")), "us-east-1")

    def call(self, action, body, timeout=10.0):
        body = json.dumps(dict(body, QueueUrl=self.queue_url)).encode()
        access_key, secret_key, token = self.credentials.get()
        amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        headers = {"Host": urllib.parse.urlsplit(self.endpoint).netloc, "X-Amz-Date": amz_date,
                   "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + action}
        if token:
            headers["X-Amz-Security-Token"] = token
        headers["Authorization"] = sigv4("POST", self.endpoint, headers, body, access_key, secret_key, self.region,
                                         "sqs", amz_date)
        try:
            return http_json(self.endpoint, body, headers, timeout=timeout, method="POST")
        except urllib.error.HTTPError as e:
            raise Refused(f"SQS {action}: HTTP {e.code} {e.text[:300]}") from e

    def receive(self, wait):
        return self.call("ReceiveMessage", {"MaxNumberOfMessages": 1, "WaitTimeSeconds": wait,
                                            "AttributeNames": ["ApproximateReceiveCount"],
                                            "MessageSystemAttributeNames": ["ApproximateReceiveCount"],
                                            "MessageAttributeNames": ["All"]}, timeout=wait + 10).get("Messages", [])

    def delete(self, receipt):
        self.call("DeleteMessage", {"ReceiptHandle": receipt})

    def change_visibility(self, receipt, seconds, timeout=10.0):
        self.call("ChangeMessageVisibility", {"ReceiptHandle": receipt, "VisibilityTimeout": int(seconds)}, timeout)

    def max_receive_count(self):
        """The redrive policy's maxReceiveCount; 0 without one, or when the task may not read it."""
        try:
            answer = self.call("GetQueueAttributes", {"AttributeNames": ["RedrivePolicy"]})
        except Refused as e:
            log(f"{e}: without sqs:GetQueueAttributes a job's last try is not given back at once")
            return 0
        return int(json.loads(answer.get("Attributes", {}).get("RedrivePolicy", "{}")).get("maxReceiveCount", 0))


# --- coscale ---------------------------------------------------------------------------------------------

class Coscale:
    def __init__(self, base_url, task_arn, token=None):
        self.base_url, self.task_arn, self.token = base_url.rstrip("/"), task_arn, token

    def post(self, path, timeout=10.0):
        """One call: Retryable for what may be repeated, Fatal for 401 and 403 and any other 4xx."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        try:
            return http_json(self.base_url + path, {"taskArn": self.task_arn}, headers, timeout=timeout)
        except urllib.error.HTTPError as e:
            hint = {401: " (set COSCALE_TOKEN to a token with role worker)",
                    403: " (not a live task of a managed pool, or the token lacks role worker)"}.get(e.code, "")
            raise Fatal(f"coscale {path} answered {e.code}{hint}: {e.text[:300]}") from e


# --- running jobs ----------------------------------------------------------------------------------------

class Job:
    def __init__(self, message, deadline):
        attributes = {name: a.get("StringValue") for name, a in message.get("MessageAttributes", {}).items()
                      if a.get("StringValue") is not None}
        self.id = attributes.get("coscale-job-id") or message.get("MessageId", "")
        self.attributes, self.body, self.receipt = attributes, message.get("Body", ""), message["ReceiptHandle"]
        self.receive_count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1") or 1)
        self.deadline = deadline  # monotonic, or None
        self.deadline_text = "" if deadline is None else utc_text(time.time() + deadline - time.monotonic())


def utc_text(epoch_seconds):
    return datetime.datetime.fromtimestamp(epoch_seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def terminate(process, grace):
    """SIGTERM, then SIGKILL after `grace` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class OneShot:
    """Runs the command once per job. `run` answers "done", "failed" or "stopped" (the stop grace ran out)."""

    def __init__(self, command):
        self.command = command

    def run(self, job, stopping, grace_over):
        env = dict(os.environ, COSCALE_JOB_ID=job.id, COSCALE_JOB_ATTRIBUTES=json.dumps(job.attributes),
                   COSCALE_RECEIVE_COUNT=str(job.receive_count), COSCALE_JOB_DEADLINE=job.deadline_text)
        process = subprocess.Popen(self.command, stdin=subprocess.PIPE, env=env)
        threading.Thread(target=self._feed, args=(process, job.body.encode()), daemon=True).start()
        forwarded = False
        while True:
            try:
                code = process.wait(0.05)
                break
            except subprocess.TimeoutExpired:
                pass
            if stopping.is_set() and not forwarded:
                process.send_signal(signal.SIGTERM)
                forwarded = True
            if grace_over():
                process.kill()
                process.wait()
                return "stopped"
            if job.deadline is not None and time.monotonic() > job.deadline:
                log(f"job {job.id}: past JOB_TIMEOUT_SECONDS, stopping it")
                terminate(process, 5)
                return "failed"
        if code != 0:
            log(f"job {job.id}: the command exited {code}")
        return "done" if code == 0 else ("stopped" if forwarded else "failed")

    @staticmethod
    def _feed(process, body):
        try:
            process.stdin.write(body)
            process.stdin.close()
        except OSError:
            pass  # the command does not read its stdin


class Served:
    """--serve: the command runs once and takes jobs from a loopback endpoint (GET /next, POST /done, /failed)."""

    def __init__(self, command, port=0):
        self.jobs, self.outcomes, self.closed = queue.Queue(), queue.Queue(), threading.Event()
        served = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.rstrip("/") != "/next":
                    return self._answer(404, b"")
                while not served.closed.is_set():
                    try:
                        job = served.jobs.get(timeout=0.2)
                    except queue.Empty:
                        continue
                    if job is None:
                        break
                    return self._answer(200, job.body.encode(), {
                        "Coscale-Job-Id": job.id, "Coscale-Job-Attributes": json.dumps(job.attributes),
                        "Coscale-Receive-Count": str(job.receive_count), "Coscale-Job-Deadline": job.deadline_text})
                self._answer(410, b"no more jobs: exit\n")

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outcome = {"/done": "done", "/failed": "failed"}.get(self.path.rstrip("/"))
                if outcome is None:
                    return self._answer(404, b"")
                served.outcomes.put(outcome)
                self._answer(202, b"")

            def _answer(self, status, body, headers=None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        address = "127.0.0.1:%d" % self.server.server_address[1]
        self.process = subprocess.Popen(command, env=dict(os.environ, COSCALE_RUNTIME_API=address))

    def run(self, job, stopping, grace_over):
        if self.process.poll() is not None:
            raise Fatal(f"the command exited {self.process.returncode}")
        while not self.outcomes.empty():
            self.outcomes.get()  # a stray answer for no job
        self.jobs.put(job)
        try:
            return self._answer(job, stopping, grace_over)
        finally:
            while not self.jobs.empty():
                self.jobs.get()  # not taken by the command: never hand it out later

    def _answer(self, job, stopping, grace_over):
        forwarded = False
        while True:
            try:
                return self.outcomes.get(timeout=0.05)
            except queue.Empty:
                pass
            if self.process.poll() is not None:
                log(f"job {job.id}: the command exited {self.process.returncode} without an answer")
                return "stopped" if forwarded else "failed"
            if stopping.is_set() and not forwarded:
                self.process.send_signal(signal.SIGTERM)
                forwarded = True
            if grace_over():
                return "stopped"
            if job.deadline is not None and time.monotonic() > job.deadline:
                log(f"job {job.id}: past JOB_TIMEOUT_SECONDS")
                return "failed"

    def close(self, grace):
        """No more jobs: /next answers 410; the command has `grace` seconds to exit, then it is stopped."""
        self.closed.set()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            terminate(self.process, 5)
        self.server.shutdown()


# --- the protocol ----------------------------------------------------------------------------------------

class Worker:
    def __init__(self, coscale, sqs, runner, heartbeat=60.0, first_wait=20, next_wait=1, stay_wait=5.0,
                 stop_grace=20.0, job_timeout=None, events=None, stopping=None):
        self.coscale, self.sqs, self.runner = coscale, sqs, runner
        self.heartbeat, self.first_wait, self.next_wait, self.stay_wait = heartbeat, first_wait, next_wait, stay_wait
        self.stop_grace, self.job_timeout = stop_grace, job_timeout
        self.events = events or (lambda event: None)
        self.stopping = stopping or threading.Event()
        self.stop_deadline, self.drain, self.max_receives = None, False, 0

    def stop(self, *_):
        if self.stop_deadline is None:
            self.stop_deadline = time.monotonic() + self.stop_grace
            log(f"stop signal: no new job; the running one has {self.stop_grace:.0f}s")
        self.stopping.set()

    def grace_over(self):
        if self.stopping.is_set() and self.stop_deadline is None:
            self.stop_deadline = time.monotonic() + self.stop_grace
        return self.stopping.is_set() and time.monotonic() >= self.stop_deadline

    def claim(self, until=None):
        """A claim, repeated on transient failures until `until`; notes `drain`. Fatal on 401/403."""
        answer = call_with_retries(lambda: self.coscale.post("/v1/claim"), self.stopping, until, self.stopping.wait)
        self.drain = self.drain or bool(answer.get("drain"))
        return answer

    def run(self):
        """The exit code: 0 after `exit` or a stop signal."""
        try:
            self.claim()  # before the first receive: protected from here on
            self.max_receives = call_with_retries(self.sqs.max_receive_count, self.stopping)
        except Retryable:
            return 0  # stopped while coscale or SQS was unreachable
        wait = self.first_wait
        while not self.stopping.is_set():
            messages = [] if self.drain else call_with_retries(lambda: self.sqs.receive(wait), self.stopping)
            if messages:
                self.events("received")
                if self.stopping.is_set():
                    self.give_back(messages[0])  # received as the stop came: straight back
                    return 0
                self.work(messages[0])
                wait = self.next_wait
                continue
            if self.stopping.is_set():
                return 0  # stopped as the poll came back empty: ECS is stopping the task, there is nothing to release
            try:
                answer = call_with_retries(lambda: self.coscale.post("/v1/release"), self.stopping,
                                           sleep=self.stopping.wait)
            except Retryable:
                return 0
            decision = answer.get("decision")
            log(f"release: {decision} (desiredCount {answer.get('desiredCount')}, {answer.get('reason')})")
            if decision == "exit":
                return 0
            self.drain = False  # coscale keeps the task: poll again
            if decision == "stay":
                self.stopping.wait(self.stay_wait)
            elif decision != "continue":
                log(f"unknown decision {decision!r}: polling again")
            wait = self.first_wait
        return 0

    def work(self, message):
        try:
            # Bounded: the task is protected since its first claim; this one renews it and reads `drain`.
            self.claim(until=time.monotonic() + min(self.heartbeat, 15))
        except Retryable as e:
            log(f"claim before the job failed ({e}); working it, the heartbeat claims again")
        except Fatal:
            self.give_back(message)
            raise
        job = Job(message, None if not self.job_timeout else time.monotonic() + self.job_timeout)
        beat = Heartbeat(self, job.receipt)
        try:
            outcome = self.runner.run(job, self.stopping, self.grace_over)
        except Fatal:
            beat.stop(settle=True)
            self.give_back(message)
            raise
        finally:
            beat.stop()  # never waits for a stuck claim
        if outcome != "done":
            beat.stop(settle=True)  # a give-back may follow: no extension may land after it
        if outcome == "done":
            try:
                call_with_retries(lambda: self.sqs.delete(job.receipt), until=time.monotonic() + 30)
                self.events("deleted")
            except (Retryable, Refused) as e:
                log(f"job {job.id} done but not deleted ({e}): it will run again")
                self.events("failed")
        elif outcome == "stopped":
            log(f"job {job.id}: interrupted by the stop signal; giving it back")
            self.give_back(message)
        else:
            self.events("failed")
            if self.max_receives and job.receive_count >= self.max_receives:
                # Its last try: this task's next receive moves it to the dead-letter queue, rather than a task
                # started for it a visibility timeout later.
                self.change_visibility(job.receipt, 0)

    def change_visibility(self, receipt, seconds):
        try:
            call_with_retries(lambda: self.sqs.change_visibility(receipt, seconds), until=time.monotonic() + 5)
            return True
        except (Retryable, Refused) as e:
            log(f"visibility not changed: {e}")
            return False

    def give_back(self, message):
        if self.change_visibility(message["ReceiptHandle"], 0):
            self.events("returned")
        else:
            self.events("failed")


class Heartbeat:
    """While a job runs, every period: extend its visibility to three periods and claim (one bounded call each).
    Its claim is never waited for: a stuck coscale cannot hold up the job's deletion."""

    def __init__(self, worker, receipt):
        self.worker, self.receipt, self.done = worker, receipt, threading.Event()
        self.extending = threading.Lock()  # held while an extension is in flight
        threading.Thread(target=self._run, name="heartbeat", daemon=True).start()

    def stop(self, settle=False):
        """No more beats. settle: also wait for an extension in flight (bounded by its timeout), so that a visibility
        set next (0, to give the message back) is not undone by an extension that SQS applies after it."""
        self.done.set()
        if settle:
            with self.extending:
                pass

    def _run(self):
        period = self.worker.heartbeat
        while not self.done.wait(period):
            with self.extending:
                if self.done.is_set():
                    return
                try:
                    self.worker.sqs.change_visibility(self.receipt, max(1, min(43200, 3 * period)),
                                                      timeout=min(period, 10))
                except Exception as e:  # noqa: BLE001 - the next beat tries again
                    log(f"heartbeat: visibility not extended: {e}")
            if self.done.is_set():
                return
            try:
                answer = self.worker.coscale.post("/v1/claim", timeout=min(period, 10))
                self.worker.drain = self.worker.drain or bool(answer.get("drain"))
            except Exception as e:  # noqa: BLE001 - protection holds until it lapses; the next beat renews it
                log(f"heartbeat: claim failed: {e}")


def job_events(metadata_uri):
    """Local mode's statistics (COSCALE_LOCAL_JOB_EVENTS=1): what became of each message, to the emulator."""
    def report(event):
        try:
            http_json(metadata_uri.rstrip("/") + "/jobs", {"event": event}, {"Content-Type": "application/json"}, 2)
        except Exception as e:  # noqa: BLE001 - statistics only
            log(f"job event {event} not reported: {e}")
    return report


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


def setting(name, default=None):
    value = os.environ.get(name) or default
    if value is None:
        raise Fatal(f"environment variable {name} is required")
    return value


def main(argv):
    serve = argv[:1] == ["--serve"]
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    if not command:
        log("usage: coscale-run [--serve] -- <command...>")
        return 2
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    runner = None
    try:
        metadata = setting("ECS_CONTAINER_METADATA_URI_V4")
        task_arn = call_with_retries(lambda: http_json(metadata.rstrip("/") + "/task", timeout=5)["TaskARN"],
                                     until=time.monotonic() + 30)
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        sqs = Sqs(setting("QUEUE_URL"), Credentials(), region,
                  os.environ.get("AWS_ENDPOINT_URL_SQS") or os.environ.get("AWS_ENDPOINT_URL"))
        timeout = float(setting("JOB_TIMEOUT_SECONDS", "0"))
        worker = Worker(Coscale(setting("COSCALE_URL"), task_arn, os.environ.get("COSCALE_TOKEN")), sqs, None,
                        heartbeat=float(setting("HEARTBEAT_SECONDS", "60")),
                        first_wait=int(setting("FIRST_WAIT_SECONDS", "20")),
                        next_wait=int(setting("NEXT_WAIT_SECONDS", "1")),
                        stay_wait=float(setting("STAY_WAIT_SECONDS", "5")),
                        stop_grace=stop_grace_seconds(os.environ), job_timeout=timeout or None,
                        events=job_events(metadata) if os.environ.get("COSCALE_LOCAL_JOB_EVENTS") == "1" else None,
                        stopping=stopping)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, worker.stop)
        if stopping.is_set():
            return 0
        runner = worker.runner = Served(command) if serve else OneShot(command)
        log(f"task {task_arn} on {sqs.queue_url}: {' '.join(command)}")
        return worker.run()
    except Fatal as e:
        log(str(e))
        # After a stop signal coscale refuses a stopping task's calls (403): the stop, not the refusal, ends the task.
        return 0 if stopping.is_set() else 1
    except Retryable as e:
        if stopping.is_set():
            return 0
        log(f"giving up: {e}")
        return 1
    except Refused as e:
        log(str(e))
        return 1
    finally:
        if isinstance(runner, Served):
            runner.close(worker.stop_grace)


def entry(argv):
    code = main(argv)
    # Once the exit code is known a SIGTERM (ECS stopping the task it just unprotected) must not turn it into 143.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)
    return code


if __name__ == "__main__":
    sys.exit(entry(sys.argv[1:]))
