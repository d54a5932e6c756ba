#!/bin/sh
# A coscale worker in shell under `coscale-run --serve`: one long-lived process that takes its jobs from
# coscale-run's loopback endpoint, three HTTP calls in all, and keeps state (a count) between jobs.
#   GET  /next    the job's payload (headers: Coscale-Job-Id, Coscale-Receive-Count, ...); 410: no more, exit
#   POST /done    the job is done: coscale-run deletes its message
#   POST /failed  the job failed: its message is left to the queue's redrive policy
api="http://$COSCALE_RUNTIME_API"
done_jobs=0
# -f: the 410 ends the loop.
while payload=$(curl -sf "$api/next"); do
  case "$payload" in
    *'"fail"'*) curl -sf -X POST "$api/failed" ;;
    *) sleep 0.5; done_jobs=$((done_jobs + 1)); curl -sf -X POST "$api/done" ;;
  esac
done
echo "worker.sh: $done_jobs jobs done, no more to come"
