"""Unit tests of coscale_run.py: `python3 -m unittest` in this folder. Standard library only.

coscale, the task metadata endpoint and the container credentials endpoint are a small local http.server; SQS is
an in-memory fake for the protocol tests, and a local http.server for the signed requests; commands are real
processes.
"""

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import coscale_run

TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/workers/0123456789abcdef"


def setUpModule():
    coscale_run.log = lambda message: None  # progress lines are noise here


class FakeServer:
    """HTTP on 127.0.0.1: `replies[path]` is a list of (status, body) answered in order, the last one repeating;
    a reply may be a callable (then it is called, and may block)."""

    def __init__(self):
        self.replies, self.requests, self.lock = {}, [], threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._answer(None)

            def do_POST(self):
                self._answer(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def _answer(self, body):
                with fake.lock:
                    fake.requests.append((self.command, self.path, body, dict(self.headers)))
                    replies = fake.replies.get(self.path, [(404, {"title": "not found"})])
                    reply = replies.pop(0) if len(replies) > 1 else replies[0]
                status, answer = reply() if callable(reply) else reply
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def paths(self):
        with self.lock:
            return [r[1] for r in self.requests]


class FakeSqs:
    """The queue as coscale-run sees it: `batches` are what successive receives return (then nothing)."""

    def __init__(self, log, batches=(), max_receives=3):
        self.log, self.batches, self.max_receives = log, list(batches), max_receives
        self.visibility_failures = 0

    def receive(self, wait):
        self.log.append(("receive", wait))
        return self.batches.pop(0) if self.batches else []

    def delete(self, receipt):
        self.log.append(("delete", receipt))

    def change_visibility(self, receipt, seconds, timeout=10.0):
        if self.visibility_failures:
            self.visibility_failures -= 1
            raise coscale_run.Retryable("SQS is down")
        self.log.append(("visibility", receipt, int(seconds)))

    def max_receive_count(self):
        return self.max_receives


def message(receipt="r1", count=1, body="{}", attributes=None):
    return {"MessageId": "m-" + receipt, "ReceiptHandle": receipt, "Body": body,
            "Attributes": {"ApproximateReceiveCount": str(count)},
            "MessageAttributes": {k: {"DataType": "String", "StringValue": v} for k, v in (attributes or {}).items()}}


class FakeRunner:
    """Answers each job with the next outcome; `during(job)` runs first, as the job's work."""

    def __init__(self, log, outcomes=("done",), during=None):
        self.log, self.outcomes, self.during, self.jobs = log, list(outcomes), during, []

    def run(self, job, stopping, grace_over):
        self.jobs.append(job)
        self.log.append(("run", job.id))
        if self.during:
            return self.during(job, stopping, grace_over)
        return self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]


OK_CLAIM = (200, {"pool": "demo", "protected": True, "drain": False})
DRAIN_CLAIM = (200, {"pool": "demo", "protected": True, "drain": True})


def release(decision):
    return 200, {"pool": "demo", "decision": decision, "desiredCount": 1, "reason": "test"}


class SigV4Test(unittest.TestCase):
    """AWS's published Signature Version 4 test suite (get-vanilla, get-vanilla-query-order-key-case)."""

    def sign(self, url):
        return coscale_run.sigv4("GET", url, {"Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"}, b"",
                                 "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service",
                                 "20150830T123600Z")

    def test_get_vanilla(self):
        self.assertEqual(self.sign("https://example.amazonaws.com/"),
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                         "SignedHeaders=host;x-amz-date, "
                         "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")

    def test_query_parameters_are_sorted(self):
        self.assertTrue(self.sign("https://example.amazonaws.com/?Param2=value2&Param1=value1").endswith(
            "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))


class RetryTest(unittest.TestCase):

    def test_backoff_is_full_jitter_under_an_exponential_cap(self):
        for attempt, cap in ((1, 0.2), (2, 0.4), (4, 1.6), (10, 10.0), (40, 10.0)):
            waits = [coscale_run.backoff(attempt) for _ in range(200)]
            self.assertTrue(all(0 <= w <= cap for w in waits), (attempt, max(waits)))
            self.assertGreater(max(waits) - min(waits), 0, "jittered")

    def test_retryable_failures_are_repeated_until_the_call_succeeds(self):
        answers = [coscale_run.Retryable("503"), coscale_run.Retryable("reset"), "ok"]
        waits = []

        def call():
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        self.assertEqual(coscale_run.call_with_retries(call, sleep=waits.append), "ok")
        self.assertEqual(len(waits), 2)

    def test_a_bounded_call_gives_up_at_its_deadline_and_a_stopped_one_at_once(self):
        def failing():
            raise coscale_run.Retryable("down")
        with self.assertRaises(coscale_run.Retryable):
            coscale_run.call_with_retries(failing, until=time.monotonic(), sleep=lambda s: None)
        stop = threading.Event()
        stop.set()
        with self.assertRaises(coscale_run.Retryable):
            coscale_run.call_with_retries(failing, stop=stop, sleep=lambda s: self.fail("no wait once stopped"))


class CoscaleClientTest(unittest.TestCase):

    def setUp(self):
        self.server = FakeServer()
        self.addCleanup(self.server.close)

    def test_sends_the_task_arn_and_the_bearer_token(self):
        self.server.replies["/v1/claim"] = [OK_CLAIM]
        coscale_run.Coscale(self.server.url, TASK_ARN, "s3cret").post("/v1/claim")
        _, _, body, headers = self.server.requests[0]
        self.assertEqual(json.loads(body), {"taskArn": TASK_ARN})
        self.assertEqual(headers["Authorization"], "Bearer s3cret")

    def test_5xx_and_429_are_retryable_401_and_403_fatal(self):
        client = coscale_run.Coscale(self.server.url, TASK_ARN)
        for status, error in ((503, coscale_run.Retryable), (429, coscale_run.Retryable), (403, coscale_run.Fatal),
                              (401, coscale_run.Fatal)):
            self.server.replies["/v1/claim"] = [(status, {"detail": "no"})]
            with self.assertRaises(error, msg=status):
                client.post("/v1/claim")

    def test_connection_refused_is_retryable(self):
        url = self.server.url
        self.server.close()
        with self.assertRaises(coscale_run.Retryable):
            coscale_run.Coscale(url, TASK_ARN).post("/v1/claim")


class WorkerTest(unittest.TestCase):
    """The protocol: the order of coscale's and SQS's calls, with coscale on a local HTTP server."""

    def setUp(self):
        self.coscale = FakeServer()
        self.addCleanup(self.coscale.close)
        self.log = []
        self.coscale.replies["/v1/claim"] = [OK_CLAIM]
        self.coscale.replies["/v1/release"] = [release("exit")]

    def worker(self, batches=(), runner=None, **options):
        self.sqs = FakeSqs(self.log, batches)
        self.runner = runner or FakeRunner(self.log)
        options.setdefault("heartbeat", 60)
        options.setdefault("stay_wait", 0.01)
        self.events = []
        return coscale_run.Worker(coscale_run.Coscale(self.coscale.url, TASK_ARN), self.sqs, self.runner,
                                  events=self.events.append, **options)

    def calls(self):
        """coscale's and SQS's calls in one list, in order enough for these tests (each is synchronous)."""
        return self.coscale.paths()

    def test_claims_before_the_first_receive_works_deletes_releases_and_exits_on_exit(self):
        worker = self.worker([[message("r1")]])
        self.assertEqual(worker.run(), 0)
        self.assertEqual(self.coscale.paths(), ["/v1/claim", "/v1/claim", "/v1/release"])
        self.assertEqual(self.log, [("receive", 20), ("run", "m-r1"), ("delete", "r1"), ("receive", 1)])
        self.assertEqual(self.events, ["received", "deleted"])

    def test_a_forbidden_first_claim_is_fatal_before_any_receive(self):
        self.coscale.replies["/v1/claim"] = [(403, {"detail": "not a managed task"})]
        with self.assertRaises(coscale_run.Fatal):
            self.worker([[message()]]).run()
        self.assertEqual(self.log, [])

    def test_coscale_unreachable_at_first_is_waited_for(self):
        self.coscale.replies["/v1/claim"] = [(503, {}), (503, {}), OK_CLAIM]
        self.assertEqual(self.worker().run(), 0)
        self.assertEqual(self.coscale.paths()[:3], ["/v1/claim"] * 3)

    def test_a_forbidden_claim_on_a_message_gives_it_back(self):
        self.coscale.replies["/v1/claim"] = [OK_CLAIM, (403, {"detail": "stopping"})]
        with self.assertRaises(coscale_run.Fatal):
            self.worker([[message("r1")]]).run()
        self.assertEqual(self.log, [("receive", 20), ("visibility", "r1", 0)])
        self.assertEqual(self.events, ["received", "returned"])

    def test_a_failed_job_is_left_to_its_visibility_timeout_until_its_last_try(self):
        runner = FakeRunner(self.log, ["failed"])
        worker = self.worker([[message("r1", count=1)], [message("r2", count=3)]], runner)
        self.assertEqual(worker.run(), 0)
        self.assertEqual([c for c in self.log if c[0] in ("delete", "visibility")], [("visibility", "r2", 0)])
        self.assertEqual(self.events, ["received", "failed", "received", "failed"])

    def test_continue_polls_again_stay_pauses_and_an_unknown_decision_is_not_fatal(self):
        self.coscale.replies["/v1/release"] = [release("continue"), release("stay"), release("rebalance"),
                                               release("exit")]
        self.assertEqual(self.worker().run(), 0)
        self.assertEqual(self.log, [("receive", 20)] * 4)
        self.assertEqual(self.coscale.paths().count("/v1/release"), 4)

    def test_drain_at_the_first_claim_releases_without_receiving(self):
        self.coscale.replies["/v1/claim"] = [DRAIN_CLAIM]
        self.assertEqual(self.worker([[message()]]).run(), 0)
        self.assertEqual(self.log, [])
        self.assertEqual(self.coscale.paths(), ["/v1/claim", "/v1/release"])

    def test_drain_on_a_heartbeat_releases_after_the_current_job(self):
        self.coscale.replies["/v1/claim"] = [OK_CLAIM, OK_CLAIM, DRAIN_CLAIM]

        def until_drained(job, stopping, grace_over):
            while not worker.drain:
                time.sleep(0.01)
            return "done"
        worker = self.worker([[message("r1")], [message("r2")]], FakeRunner(self.log, during=until_drained),
                             heartbeat=0.02)
        self.assertEqual(worker.run(), 0)
        self.assertIn(("delete", "r1"), self.log)
        self.assertEqual([c for c in self.log if c[0] == "receive"], [("receive", 20)], "no poll after a drain")
        self.assertEqual(self.coscale.paths()[-1], "/v1/release")

    def test_the_heartbeat_extends_visibility_and_claims_while_a_job_runs(self):
        def long_job(job, stopping, grace_over):
            while self.coscale.paths().count("/v1/claim") < 4:
                time.sleep(0.01)
            return "done"
        worker = self.worker([[message("r1")]], FakeRunner(self.log, during=long_job), heartbeat=0.02)
        self.assertEqual(worker.run(), 0)
        self.assertIn(("visibility", "r1", 1), self.log, "extended to three periods, at least a second")
        self.assertIn(("delete", "r1"), self.log)

    def test_a_stuck_heartbeat_claim_never_holds_up_the_deletion(self):
        stuck, beat_started = threading.Event(), threading.Event()

        def stuck_claim():
            beat_started.set()
            stuck.wait(30)
            return OK_CLAIM
        self.addCleanup(stuck.set)
        self.coscale.replies["/v1/claim"] = [OK_CLAIM, OK_CLAIM, stuck_claim]

        def job(job, stopping, grace_over):
            beat_started.wait(10)
            return "done"
        worker = self.worker([[message("r1")]], FakeRunner(self.log, during=job), heartbeat=0.02)
        worker.work(self.sqs.receive(20)[0])
        self.assertFalse(stuck.is_set())
        self.assertIn(("delete", "r1"), self.log, "deleted while the heartbeat's claim still hangs")

    def test_an_extension_in_flight_as_a_job_fails_its_last_try_lands_before_the_give_back(self):
        extending, release_extension = threading.Event(), threading.Event()
        self.addCleanup(release_extension.set)
        log = self.log

        class SlowSqs(FakeSqs):
            def change_visibility(self, receipt, seconds, timeout=10.0):
                if seconds > 0:  # the heartbeat's extension: SQS answers it late
                    extending.set()
                    release_extension.wait(10)
                log.append(("visibility", receipt, int(seconds)))

        def fails_as_the_extension_is_sent(job, stopping, grace_over):
            extending.wait(10)
            threading.Timer(0.2, release_extension.set).start()
            return "failed"
        worker = self.worker([], FakeRunner(self.log, during=fails_as_the_extension_is_sent), heartbeat=0.02)
        worker.sqs = SlowSqs(self.log)
        worker.max_receives = 3
        worker.work(message("r1", count=3))
        visibility = [c for c in self.log if c[0] == "visibility"]
        self.assertEqual(visibility, [("visibility", "r1", 1), ("visibility", "r1", 0)],
                         "the give-back waits for the extension in flight and no extension follows it")

    def test_a_stop_during_a_job_gives_its_message_back_when_the_command_did_not_finish(self):
        def interrupted(job, stopping, grace_over):
            worker.stop()
            self.assertTrue(stopping.is_set())
            return "stopped"
        worker = self.worker([[message("r1")], [message("r2")]], FakeRunner(self.log, during=interrupted),
                             stop_grace=0)
        self.assertEqual(worker.run(), 0)
        self.assertEqual(self.log, [("receive", 20), ("run", "m-r1"), ("visibility", "r1", 0)])
        self.assertEqual(self.events, ["received", "returned"])

    def test_a_message_received_as_the_stop_came_goes_straight_back(self):
        worker = self.worker()
        self.sqs.receive = lambda wait: (worker.stop(), [message("r1")])[1]
        self.assertEqual(worker.run(), 0)
        self.assertEqual(self.log, [("visibility", "r1", 0)])
        self.assertEqual(self.events, ["received", "returned"])

    def test_a_stop_as_the_poll_comes_back_empty_sends_no_release(self):
        # coscale refuses a stopping task's calls (403): a release after the stop would end it with exit 1.
        self.coscale.replies["/v1/release"] = [(403, {"detail": "the task is stopping"})]
        worker = self.worker()
        self.sqs.receive = lambda wait: (worker.stop(), [])[1]
        self.assertEqual(worker.run(), 0)
        self.assertEqual(self.coscale.paths(), ["/v1/claim"])

    def test_a_message_sqs_will_not_take_back_is_not_counted_returned(self):
        worker = self.worker()
        self.sqs.visibility_failures = 100
        worker.give_back(message("r1"))
        self.assertEqual(self.events, ["failed"])


class OneShotTest(unittest.TestCase):
    """The command as a real process, once per job."""

    def run_job(self, script, body="{\"n\": 1}", deadline=None, stopping=None, grace_over=lambda: False):
        msg = message("r1", count=2, body=body, attributes={"coscale-job-id": "job-7", "tenant": "acme"})
        job = coscale_run.Job(msg, deadline)
        return coscale_run.OneShot(["sh", "-c", script]).run(job, stopping or threading.Event(), grace_over)

    def test_payload_on_stdin_and_the_job_in_the_environment(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out")
            script = ('cat > "$0"; printf "\\n%s\\n%s\\n%s\\n%s" "$COSCALE_JOB_ID" "$COSCALE_JOB_ATTRIBUTES" '
                      '"$COSCALE_RECEIVE_COUNT" "$COSCALE_JOB_DEADLINE" >> "$0"')
            job = coscale_run.Job(message("r1", count=2, body="{\"n\": 1}",
                                          attributes={"coscale-job-id": "job-7", "tenant": "acme"}),
                                  time.monotonic() + 60)
            outcome = coscale_run.OneShot(["sh", "-c", script, out]).run(job, threading.Event(), lambda: False)
            self.assertEqual(outcome, "done")
            with open(out) as f:
                lines = f.read().split("\n")
        self.assertEqual(lines[:4], ["{\"n\": 1}", "job-7", json.dumps({"coscale-job-id": "job-7", "tenant": "acme"}),
                                     "2"])
        self.assertRegex(lines[4], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_a_non_zero_exit_is_a_failure(self):
        self.assertEqual(self.run_job("cat > /dev/null; exit 3"), "failed")

    def test_a_command_past_its_timeout_is_stopped_and_failed(self):
        self.assertEqual(self.run_job("exec sleep 30", deadline=time.monotonic()), "failed")

    def test_the_stop_signal_is_forwarded_and_a_job_that_finishes_in_the_grace_is_done(self):
        stopping = threading.Event()
        stopping.set()
        self.assertEqual(self.run_job("trap 'exit 0' TERM; while :; do sleep 0.05; done", stopping=stopping), "done")

    def test_a_job_the_stop_signal_cut_short_is_stopped_not_failed(self):
        stopping = threading.Event()
        stopping.set()
        self.assertEqual(self.run_job("exec sleep 30", stopping=stopping), "stopped")

    def test_a_job_past_the_stop_grace_is_killed(self):
        stopping = threading.Event()
        stopping.set()
        self.assertEqual(self.run_job("trap '' TERM; sleep 30", stopping=stopping, grace_over=lambda: True),
                         "stopped")


SERVED_PROGRAM = r"""
import json, os, urllib.error, urllib.request
api = "http://" + os.environ["COSCALE_RUNTIME_API"]
while True:
    try:
        with urllib.request.urlopen(api + "/next") as r:
            body, count = r.read(), r.headers["Coscale-Receive-Count"]
    except urllib.error.HTTPError as e:
        assert e.code == 410
        break
    outcome = "/failed" if json.loads(body).get("fail") else "/done"
    urllib.request.urlopen(urllib.request.Request(api + outcome, data=b"", method="POST")).close()
"""


class ServedTest(unittest.TestCase):

    def test_a_long_lived_program_takes_jobs_answers_each_and_exits_when_there_are_no_more(self):
        served = coscale_run.Served([sys.executable, "-c", SERVED_PROGRAM])
        stopping = threading.Event()
        try:
            self.assertEqual(served.run(coscale_run.Job(message("r1", body="{}"), None), stopping, lambda: False),
                             "done")
            self.assertEqual(served.run(coscale_run.Job(message("r2", body="{\"fail\": true}"), None), stopping,
                                        lambda: False), "failed")
        finally:
            served.close(10)
        self.assertEqual(served.process.returncode, 0, "it saw 410 and exited")


class CredentialsTest(unittest.TestCase):

    def test_from_the_environment(self):
        credentials = coscale_run.Credentials({"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s",
                                               "AWS_SESSION_TOKEN": "t"})
        self.assertEqual(credentials.get(), ("a", "s", "t"))

    def test_from_the_container_endpoint_with_its_token_and_fetched_again_before_they_expire(self):
        server = FakeServer()
        self.addCleanup(server.close)
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        server.replies["/creds"] = [
            (200, {"AccessKeyId": "a1", "SecretAccessKey": "s1", "Token": "t1", "Expiration": soon}),
            (200, {"AccessKeyId": "a2", "SecretAccessKey": "s2", "Token": "t2", "Expiration": later})]
        credentials = coscale_run.Credentials({"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds",
                                               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "auth"})
        self.assertEqual(credentials.get(), ("a1", "s1", "t1"))
        self.assertEqual(credentials.get(), ("a2", "s2", "t2"), "within 5 minutes of expiring: fetched again")
        self.assertEqual(credentials.get(), ("a2", "s2", "t2"), "an hour left: kept")
        self.assertEqual(len(server.requests), 2)
        self.assertEqual(server.requests[0][3]["Authorization"], "auth")

    def test_none_at_all_is_fatal(self):
        with self.assertRaises(coscale_run.Fatal):
            coscale_run.Credentials({}).get()


class SqsTest(unittest.TestCase):

    def test_json_protocol_signed_with_the_session_token(self):
        server = FakeServer()
        self.addCleanup(server.close)
        server.replies["/"] = [(200, {"Attributes": {"RedrivePolicy": "{\"maxReceiveCount\":\"4\"}"}})]
        credentials = coscale_run.Credentials({"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s",
                                               "AWS_SESSION_TOKEN": "t"})
        sqs = coscale_run.Sqs("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs", credentials,
                              endpoint=server.url)
        self.assertEqual(sqs.max_receive_count(), 4)
        _, _, body, headers = server.requests[0]
        self.assertEqual(json.loads(body), {"AttributeNames": ["RedrivePolicy"],
                                            "QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"})
        self.assertEqual(headers["X-Amz-Target"], "AmazonSQS.GetQueueAttributes")
        self.assertEqual(headers["Content-Type"], "application/x-amz-json-1.0")
        self.assertEqual(headers["X-Amz-Security-Token"], "t")
        self.assertIn("Credential=a/", headers["Authorization"])
        self.assertIn("/eu-west-1/sqs/aws4_request", headers["Authorization"])
        self.assertIn("x-amz-security-token", headers["Authorization"])

    def test_a_refused_call_is_not_retried_and_a_redrive_policy_it_may_not_read_is_none(self):
        server = FakeServer()
        self.addCleanup(server.close)
        server.replies["/"] = [(400, {"__type": "com.amazon.coral.service#AccessDeniedException"})]
        sqs = coscale_run.Sqs("https://sqs.eu-west-1.amazonaws.com/1/jobs",
                              coscale_run.Credentials({"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s"}),
                              endpoint=server.url)
        self.assertEqual(sqs.max_receive_count(), 0)
        with self.assertRaises(coscale_run.Refused):
            sqs.receive(0)
        self.assertEqual(len(server.requests), 2)

    def test_the_region_comes_from_the_queue_url(self):
        sqs = coscale_run.Sqs("https://sqs.ap-south-1.amazonaws.com/1/q", coscale_run.Credentials({}))
        self.assertEqual((sqs.region, sqs.endpoint), ("ap-south-1", "https://sqs.ap-south-1.amazonaws.com/"))


class MainTest(unittest.TestCase):

    def test_missing_configuration_exits_1_and_no_command_2(self):
        env = {k: v for k, v in os.environ.items() if k not in ("ECS_CONTAINER_METADATA_URI_V4", "COSCALE_URL")}
        run = [sys.executable, "-B", os.path.join(os.path.dirname(os.path.abspath(__file__)), "coscale-run")]
        self.assertEqual(subprocess.run(run + ["--", "true"], env=env, capture_output=True).returncode, 1)
        self.assertEqual(subprocess.run(run, env=env, capture_output=True).returncode, 2)


class StopGraceTest(unittest.TestCase):

    def test_follows_the_stop_timeout_less_a_margin(self):
        self.assertEqual(coscale_run.stop_grace_seconds({"STOP_TIMEOUT_SECONDS": "120"}), 110)
        self.assertEqual(coscale_run.stop_grace_seconds({"STOP_TIMEOUT_SECONDS": "900"}), 890)

    def test_short_stop_timeouts_keep_half_for_the_job(self):
        self.assertEqual(coscale_run.stop_grace_seconds({"STOP_TIMEOUT_SECONDS": "10"}), 5)
        self.assertEqual(coscale_run.stop_grace_seconds({"STOP_TIMEOUT_SECONDS": "2"}), 1)

    def test_an_explicit_grace_wins_and_nothing_set_means_20(self):
        self.assertEqual(coscale_run.stop_grace_seconds({"STOP_GRACE_SECONDS": "45", "STOP_TIMEOUT_SECONDS": "120"}), 45)
        self.assertEqual(coscale_run.stop_grace_seconds({}), 20)


if __name__ == "__main__":
    unittest.main()
