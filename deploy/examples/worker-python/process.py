#!/usr/bin/env python3
"""One job of the example pool; coscale-run runs it once per job and does the whole worker protocol around it.

The payload is on stdin (COSCALE_JOB_ID, COSCALE_RECEIVE_COUNT and the rest in the environment). Exit 0: done.
{"seconds": n} works n seconds, {"fail": true} fails; anything else is done at once. Replace with your own work.
"""
import json
import sys
import time


def main(payload):
    try:
        job = json.loads(payload)
    except ValueError:
        job = payload
    if isinstance(job, dict):
        if job.get("fail"):
            print("the job asked to fail", file=sys.stderr)
            return 1
        time.sleep(float(job.get("seconds", 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.stdin.read()))
