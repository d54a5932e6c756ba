#!/usr/bin/env python3
"""coscale-run with one rule of the worker protocol broken, for the conformance kit's own test (WorkerConformanceIT):
the kit must fail the rows that grade the rule, and only those.

    broken_worker.py receive-first -- <command...>   skips the claim before its first receive
    broken_worker.py ignore-drain -- <command...>    drops `drain` from every claim's answer: polls again after its job
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "deploy", "coscale-run"))
import coscale_run  # noqa: E402


class ReceivesFirst(coscale_run.Worker):
    """Its first message is received before any claim: the task holds it without scale-in protection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.skipped_first_claim = False

    def claim(self, until=None):
        if not self.skipped_first_claim:
            self.skipped_first_claim = True
            return {}
        return super().claim(until)


class IgnoresDrain(coscale_run.Worker):
    """Never drains: a task of an older deployment goes on taking jobs while there are any."""

    drain = property(lambda self: False, lambda self, value: None)


if __name__ == "__main__":
    coscale_run.Worker = {"receive-first": ReceivesFirst, "ignore-drain": IgnoresDrain}[sys.argv[1]]
    sys.exit(coscale_run.entry(sys.argv[2:]))
