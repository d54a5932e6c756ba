"""Unit tests of worker.py: `python3 -m unittest` in this folder. Standard library only.

coscale and the task metadata endpoint are a small local http.server; SQS is an in-memory fake.
"""

import json
import logging
import os
import signal
import sys
import threading
import types
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import worker



def setUpModule():
    logging.disable(logging.CRITICAL)  # the worker's progress lines are noise here


def tearDownModule():
    logging.disable(logging.NOTSET)


TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/workers/0123456789abcdef"


class FakeCoscale:
    """coscale, the metadata endpoint and the emulator's /jobs, on 127.0.0.1 and a free port.

    `replies[path]` is a list of (status, body) answered in order; the last one repeats.
    """

    def __init__(self):
        self.replies = {}
        self.requests = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._answer(None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                self._answer(json.loads(self.rfile.read(length) or b"null"))

            def _answer(self, body):
                with fake.lock:
                    fake.requests.append((self.command, self.path, body, self.headers.get("Authorization")))
                    queue = fake.replies.get(self.path, [(404, {"title": "not found"})])
                    status, reply = queue.pop(0) if len(queue) > 1 else queue[0]
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def calls(self, path):
        with self.lock:
            return [r for r in self.requests if r[1] == path]


class FakeSqs:
    """receive/delete/change_message_visibility over a list of message bodies."""

    def __init__(self, bodies=(), max_receive_count=0, receive_count=1):
        self.pending = [{"MessageId": f"m{i}", "ReceiptHandle": f"r{i}", "Body": b,
                         "Attributes": {"ApproximateReceiveCount": str(receive_count)}} for i, b in enumerate(bodies)]
        self.max_receive_count = max_receive_count
        self.deleted = []
        self.visibility = []
        self.waits = []
        self.lock = threading.Lock()

    def get_queue_attributes(self, QueueUrl, AttributeNames):
        if not self.max_receive_count:
            return {"Attributes": {}}
        return {"Attributes": {"RedrivePolicy": json.dumps({"maxReceiveCount": self.max_receive_count})}}

    def receive_message(self, QueueUrl, MaxNumberOfMessages, WaitTimeSeconds, AttributeNames=None):
        self.waits.append(WaitTimeSeconds)
        with self.lock:
            if self.pending:
                return {"Messages": [self.pending.pop(0)]}
        return {}

    def delete_message(self, QueueUrl, ReceiptHandle):
        self.deleted.append(ReceiptHandle)

    def change_message_visibility(self, QueueUrl, ReceiptHandle, VisibilityTimeout):
        with self.lock:
            self.visibility.append((ReceiptHandle, VisibilityTimeout))


def release(decision):
    return (200, {"pool": "demo", "decision": decision, "desiredCount": 1, "reason": "test"})


CLAIMED = (200, {"pool": "demo", "protected": True})
DRAIN = (200, {"pool": "demo", "protected": True, "drain": True})
FORBIDDEN = (403, {"detail": "not managed"})


class CoscaleClientTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeCoscale()
        self.sleeps = []
        self.client = worker.Coscale(self.fake.url, token="t0k", attempts=4, sleep=self.sleeps.append)

    def tearDown(self):
        self.fake.close()

    def test_retries_5xx_and_429_with_growing_jittered_backoff_then_succeeds(self):
        self.fake.replies["/v1/release"] = [(503, {}), (429, {}), (500, {}), release("exit")]
        self.assertEqual("exit", self.client.release(TASK_ARN)["decision"])
        self.assertEqual(3, len(self.sleeps))
        for attempt, delay in enumerate(self.sleeps):
            self.assertLessEqual(delay, 0.2 * 2 ** attempt)

    def test_by_default_retries_until_coscale_answers(self):
        self.fake.replies["/v1/release"] = [(503, {})] * 12 + [release("stay")]
        client = worker.Coscale(self.fake.url, sleep=self.sleeps.append)
        self.assertEqual("stay", client.release(TASK_ARN)["decision"])
        self.assertEqual(12, len(self.sleeps))
        self.assertTrue(all(delay <= 10.0 for delay in self.sleeps))

    def test_gives_up_with_fatal_after_the_last_attempt(self):
        self.fake.replies["/v1/claim"] = [(503, {})]
        with self.assertRaises(worker.Fatal):
            self.client.claim(TASK_ARN)
        self.assertEqual(4, len(self.fake.calls("/v1/claim")))

    def test_connection_refused_is_retried(self):
        client = worker.Coscale("http://127.0.0.1:9", attempts=3, sleep=self.sleeps.append, timeout=1)
        with self.assertRaises(worker.Fatal):
            client.claim(TASK_ARN)
        self.assertEqual(2, len(self.sleeps))

    def test_403_is_fatal_at_once_and_says_why(self):
        self.fake.replies["/v1/claim"] = [(403, {"title": "Forbidden", "detail": "not a task of pool demo"})]
        with self.assertRaises(worker.Fatal) as raised:
            self.client.claim(TASK_ARN)
        self.assertIn("not a live task", str(raised.exception))
        self.assertIn("not a task of pool demo", str(raised.exception))
        self.assertEqual(1, len(self.fake.calls("/v1/claim")))

    def test_sends_task_arn_and_bearer_token(self):
        self.fake.replies["/v1/claim"] = [CLAIMED]
        self.client.claim(TASK_ARN)
        (_, _, body, auth), = self.fake.calls("/v1/claim")
        self.assertEqual({"taskArn": TASK_ARN}, body)
        self.assertEqual("Bearer t0k", auth)


class StopGraceTest(unittest.TestCase):

    def test_follows_the_stop_timeout_less_a_margin(self):
        self.assertEqual(worker.stop_grace_seconds({"STOP_TIMEOUT_SECONDS": "120"}), 110)
        self.assertEqual(worker.stop_grace_seconds({"STOP_TIMEOUT_SECONDS": "900"}), 890)

    def test_short_stop_timeouts_keep_half_for_the_job(self):
        self.assertEqual(worker.stop_grace_seconds({"STOP_TIMEOUT_SECONDS": "10"}), 5)
        self.assertEqual(worker.stop_grace_seconds({"STOP_TIMEOUT_SECONDS": "2"}), 1)

    def test_an_explicit_grace_wins_and_nothing_set_means_20(self):
        self.assertEqual(worker.stop_grace_seconds({"STOP_GRACE_SECONDS": "45", "STOP_TIMEOUT_SECONDS": "120"}), 45)
        self.assertEqual(worker.stop_grace_seconds({}), 20)


class MetadataTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeCoscale()

    def tearDown(self):
        self.fake.close()

    def test_reads_task_arn(self):
        self.fake.replies["/v4/abc/task"] = [(200, {"TaskARN": TASK_ARN, "Cluster": "workers"})]
        self.assertEqual(TASK_ARN, worker.task_arn_from_metadata(self.fake.url + "/v4/abc"))

    def test_unreadable_metadata_is_fatal(self):
        with self.assertRaises(worker.Fatal):
            worker.task_arn_from_metadata(self.fake.url + "/v4/missing", attempts=2, sleep=lambda s: None)

    def test_job_events_only_when_enabled_and_failures_ignored(self):
        self.fake.replies["/v4/abc/jobs"] = [(200, {})]
        with mock.patch.dict(os.environ, {"COSCALE_LOCAL_JOB_EVENTS": ""}):
            worker.report_job_event(self.fake.url + "/v4/abc", "received")
        self.assertEqual([], self.fake.calls("/v4/abc/jobs"))
        with mock.patch.dict(os.environ, {"COSCALE_LOCAL_JOB_EVENTS": "1"}):
            worker.report_job_event(self.fake.url + "/v4/abc", "deleted")
            worker.report_job_event("http://127.0.0.1:9/v4/abc", "failed")  # unreachable: ignored
        self.assertEqual([{"event": "deleted"}], [r[2] for r in self.fake.calls("/v4/abc/jobs")])


class WorkerLoopTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeCoscale()
        self.fake.replies["/v1/claim"] = [CLAIMED]

    def tearDown(self):
        self.fake.close()

    def worker(self, sqs, **kwargs):
        client = worker.Coscale(self.fake.url, attempts=2, sleep=lambda s: None)
        options = dict(heartbeat_seconds=60, first_wait=20, next_wait=1, stay_wait=0.01)
        options.update(kwargs)
        return worker.Worker(client, sqs, "http://queue", TASK_ARN, self.fake.url + "/v4/abc", **options)

    def test_claims_works_deletes_then_releases_and_exits_on_exit(self):
        sqs = FakeSqs(['{"seconds": 0}', '"plain string payload"'])
        self.fake.replies["/v1/release"] = [release("exit")]
        self.assertEqual(0, self.worker(sqs).run())
        self.assertEqual(["r0", "r1"], sqs.deleted)
        self.assertEqual(3, len(self.fake.calls("/v1/claim")))  # before the first receive, then one heartbeat a job
        self.assertEqual(1, len(self.fake.calls("/v1/release")))
        # long poll first, short waits between jobs and before releasing
        self.assertEqual([20, 1, 1], sqs.waits)

    def test_failed_job_is_not_deleted(self):
        sqs = FakeSqs(['{"fail": true}', '{"seconds": 0}'])
        self.fake.replies["/v1/release"] = [release("exit")]
        self.assertEqual(0, self.worker(sqs).run())
        self.assertEqual(["r1"], sqs.deleted)
        self.assertEqual([], sqs.visibility, "more tries to come: left to its visibility timeout")

    def test_a_failed_last_try_is_handed_back_at_once_for_the_dead_letter_queue(self):
        sqs = FakeSqs(['{"fail": true}'], max_receive_count=3, receive_count=3)
        self.fake.replies["/v1/release"] = [release("exit")]
        self.assertEqual(0, self.worker(sqs).run())
        self.assertEqual([("r0", 0)], sqs.visibility)
        self.assertEqual([], sqs.deleted)

    def test_continue_polls_again_and_stay_keeps_polling_with_a_pause(self):
        sqs = FakeSqs()
        self.fake.replies["/v1/release"] = [release("continue"), release("stay"), release("stay"), release("exit")]
        w = self.worker(sqs, stay_wait=0.05)
        started = time.monotonic()
        self.assertEqual(0, w.run())
        self.assertGreaterEqual(time.monotonic() - started, 0.1)  # two stays, two pauses
        self.assertEqual(4, len(self.fake.calls("/v1/release")))
        self.assertEqual(4, len(sqs.waits))

    def test_heartbeat_extends_visibility_and_renews_protection_during_a_long_job(self):
        sqs = FakeSqs(['{"seconds": 0.5}'])
        self.fake.replies["/v1/release"] = [release("exit")]
        self.worker(sqs, heartbeat_seconds=0.1).run()
        self.assertGreaterEqual(len(sqs.visibility), 2)
        self.assertTrue(all(handle == "r0" and timeout >= 0 for handle, timeout in sqs.visibility))
        self.assertGreaterEqual(len(self.fake.calls("/v1/claim")), 3)  # the claim plus renewals
        self.assertEqual(["r0"], sqs.deleted)

    def test_the_claim_comes_before_the_first_receive_and_a_forbidden_one_is_fatal_before_any(self):
        self.fake.replies["/v1/claim"] = [FORBIDDEN]
        sqs = FakeSqs(['{"seconds": 0}'])
        with self.assertRaises(worker.Fatal):
            self.worker(sqs).run()
        self.assertEqual([], sqs.waits)  # never polled: an unprotected task takes no message
        self.assertEqual(["m0"], [m["MessageId"] for m in sqs.pending])

    def test_a_forbidden_heartbeat_is_fatal_and_hands_the_message_back(self):
        self.fake.replies["/v1/claim"] = [CLAIMED, FORBIDDEN]
        sqs = FakeSqs(['{"seconds": 0}'])
        with self.assertRaises(worker.Fatal):
            self.worker(sqs).run()
        self.assertEqual([], sqs.deleted)
        self.assertEqual([("r0", 0)], sqs.visibility)

    def test_drain_at_the_first_claim_releases_without_polling(self):
        self.fake.replies["/v1/claim"] = [DRAIN]
        self.fake.replies["/v1/release"] = [release("exit")]
        sqs = FakeSqs(['{"seconds": 0}'])
        self.assertEqual(0, self.worker(sqs).run())
        self.assertEqual([], sqs.waits)
        self.assertEqual(1, len(self.fake.calls("/v1/release")))

    def test_drain_on_a_heartbeat_releases_after_the_current_job(self):
        self.fake.replies["/v1/claim"] = [CLAIMED, DRAIN]
        self.fake.replies["/v1/release"] = [release("exit")]
        sqs = FakeSqs(['{"seconds": 0}', '{"seconds": 0}'])
        self.assertEqual(0, self.worker(sqs).run())
        self.assertEqual(["r0"], sqs.deleted)  # the job in hand finished
        self.assertEqual(["m1"], [m["MessageId"] for m in sqs.pending])  # no new one taken
        self.assertEqual(1, len(self.fake.calls("/v1/release")))

    def test_stop_signal_finishes_the_running_job_and_takes_no_new_one(self):
        sqs = FakeSqs(['{"seconds": 0.3}', '{"seconds": 0}'])
        w = self.worker(sqs)
        threading.Timer(0.1, w.stop).start()
        self.assertEqual(0, w.run())
        self.assertEqual(["r0"], sqs.deleted)  # the running job completed
        self.assertEqual(["m1"], [m["MessageId"] for m in sqs.pending])  # the next never taken
        self.assertEqual([], self.fake.calls("/v1/release"))

    def test_a_job_that_outlasts_the_stop_grace_is_given_back_before_the_kill(self):
        # A Spot interruption mid-job: the job (5 s) cannot finish within the grace (0.3 s), so its message goes
        # back with visibility 0 at the deadline, not after its visibility timeout, and the worker exits 0.
        sqs = FakeSqs(['{"seconds": 5}', '{"seconds": 0}'])
        w = self.worker(sqs, stop_grace=0.3)
        threading.Timer(0.1, w.stop).start()
        started = time.monotonic()
        self.assertEqual(0, w.run())
        took = time.monotonic() - started
        self.assertGreaterEqual(took, 0.35)
        self.assertLess(took, 2.0)  # far from the job's 5 s: the deadline, not the job, ended it
        self.assertEqual([], sqs.deleted)
        self.assertEqual([("r0", 0)], sqs.visibility)
        self.assertEqual(["m1"], [m["MessageId"] for m in sqs.pending])
        self.assertEqual([], self.fake.calls("/v1/release"))

    def test_a_job_that_fails_within_the_grace_is_left_to_its_visibility_timeout(self):
        sqs = FakeSqs(['{"seconds": 0.2}'])

        def fail_later(body, stopping):
            time.sleep(0.2)
            raise worker.JobFailed("broken")

        w = self.worker(sqs, stop_grace=5, job=fail_later)
        threading.Timer(0.05, w.stop).start()
        self.assertEqual(0, w.run())
        self.assertEqual([], sqs.deleted)
        self.assertEqual([], sqs.visibility)

    def test_message_received_during_stop_is_handed_back_not_deleted(self):
        sqs = FakeSqs(['{"seconds": 0}'])
        w = self.worker(sqs)
        original = sqs.receive_message

        def receive_then_stop(**kwargs):
            result = original(**kwargs)
            w.stop()
            return result

        sqs.receive_message = receive_then_stop
        self.assertEqual(0, w.run())
        self.assertEqual([], sqs.deleted)
        self.assertEqual([("r0", 0)], sqs.visibility)

    def test_unknown_decision_is_fatal(self):
        self.fake.replies["/v1/release"] = [(200, {"decision": "dance"})]
        with self.assertRaises(worker.Fatal):
            self.worker(FakeSqs()).run()


class JobEventsTest(unittest.TestCase):
    """With COSCALE_LOCAL_JOB_EVENTS=1: each message's fate, and busy from the receive, before the claim."""

    def setUp(self):
        self.fake = FakeCoscale()
        self.fake.replies["/v1/claim"] = [CLAIMED]
        self.fake.replies["/v4/abc/jobs"] = [(204, {})]
        patcher = mock.patch.dict(os.environ, {"COSCALE_LOCAL_JOB_EVENTS": "1"})
        patcher.start()
        self.addCleanup(patcher.stop)

    def tearDown(self):
        self.fake.close()

    worker = WorkerLoopTest.worker

    def events(self):
        return [r[2]["event"] for r in self.fake.calls("/v4/abc/jobs")]

    def test_received_is_reported_before_the_claim_then_deleted_or_failed(self):
        sqs = FakeSqs(['{"seconds": 0}', '{"fail": true}'])
        self.fake.replies["/v1/release"] = [release("exit")]
        self.assertEqual(0, self.worker(sqs).run())
        self.assertEqual(["received", "deleted", "received", "failed"], self.events())
        paths = [r[1] for r in self.fake.requests if r[1] in ("/v4/abc/jobs", "/v1/claim")]
        # the claim before any receive; then each message reported received before its heartbeat claim
        self.assertEqual(["/v1/claim", "/v4/abc/jobs", "/v1/claim"], paths[:3])

    def test_a_message_received_during_stop_is_reported_received_then_returned(self):
        sqs = FakeSqs(['{"seconds": 0}'])
        w = self.worker(sqs)
        original = sqs.receive_message

        def receive_then_stop(**kwargs):
            result = original(**kwargs)
            w.stop()
            return result

        sqs.receive_message = receive_then_stop
        self.assertEqual(0, w.run())
        self.assertEqual(["received", "returned"], self.events())

    def test_a_refused_heartbeat_returns_the_message(self):
        self.fake.replies["/v1/claim"] = [CLAIMED, FORBIDDEN]
        with self.assertRaises(worker.Fatal):
            self.worker(FakeSqs(['{"seconds": 0}'])).run()
        self.assertEqual(["received", "returned"], self.events())

    def test_a_message_sqs_would_not_take_back_is_not_reported_returned(self):
        self.fake.replies["/v1/claim"] = [CLAIMED, FORBIDDEN]
        sqs = FakeSqs(['{"seconds": 0}'])

        def refuse(**kwargs):
            raise RuntimeError("SQS unreachable")

        sqs.change_message_visibility = refuse
        with self.assertRaises(worker.Fatal):
            self.worker(sqs).run()
        self.assertEqual(["received"], self.events())  # still held: the emulator counts it interrupted



class MainTest(unittest.TestCase):
    def setUp(self):
        self.saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}

    def tearDown(self):
        for signum, handler in self.saved.items():
            signal.signal(signum, handler)

    def test_missing_configuration_exits_1(self):
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(1, worker.main())

    def test_stop_signal_while_starting_exits_0_without_taking_work(self):
        # ECS may stop a task that is still importing boto3 or reading its metadata (a scale-in picks any
        # unprotected task): that is a clean stop, not a failure killed with 143.
        fake = FakeCoscale()
        self.addCleanup(fake.close)
        sqs = FakeSqs(['{"seconds": 0}'])
        boto3 = types.SimpleNamespace(client=lambda *args, **kwargs: sqs)

        def stopped_while_reading_metadata(uri):
            os.kill(os.getpid(), signal.SIGTERM)
            return TASK_ARN

        env = {"ECS_CONTAINER_METADATA_URI_V4": fake.url + "/v4/abc", "QUEUE_URL": "http://queue",
               "COSCALE_URL": fake.url}
        with mock.patch.dict(os.environ, env, clear=True), mock.patch.dict(sys.modules, {"boto3": boto3}), \
                mock.patch.object(worker, "task_arn_from_metadata", stopped_while_reading_metadata):
            self.assertEqual(0, worker.main())
        self.assertEqual([], sqs.waits)
        self.assertEqual([], fake.requests)

    def test_after_the_exit_code_is_known_stop_signals_are_ignored(self):
        # Python restores SIGTERM's default action while it shuts down; ignored, a late stop cannot make it 143.
        worker.ignore_stop_signals()
        self.assertEqual(signal.SIG_IGN, signal.getsignal(signal.SIGTERM))
        os.kill(os.getpid(), signal.SIGTERM)  # would end this test run if it were not ignored


if __name__ == "__main__":
    unittest.main()
