"""Unit tests of process.py, the example's job: `python3 -m unittest` in this folder. The worker protocol around it
is coscale-run's, tested in deploy/coscale-run."""

import os
import subprocess
import sys
import unittest

import process


class ProcessTest(unittest.TestCase):

    def test_a_job_of_a_few_seconds_works_and_is_done(self):
        self.assertEqual(process.main('{"seconds": 0.1}'), 0)

    def test_a_job_that_asks_to_fail_fails(self):
        self.assertEqual(process.main('{"fail": true}'), 1)

    def test_any_other_payload_is_done_at_once(self):
        for payload in ("plain text", "42", "[1, 2]", "{}"):
            self.assertEqual(process.main(payload), 0, payload)

    def test_as_coscale_run_runs_it_the_payload_comes_on_stdin(self):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "process.py")
        for payload, code in (('{"seconds": 0}', 0), ('{"fail": true}', 1)):
            run = subprocess.run([sys.executable, "-B", script], input=payload.encode(), capture_output=True)
            self.assertEqual(run.returncode, code, payload)


if __name__ == "__main__":
    unittest.main()
