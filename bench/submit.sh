#!/usr/bin/env bash
# Sustained submission, measured out of process: wrk against coscale's POST /v1/pools/demo/jobs and /jobs:batch,
# and the same wrk against the same embedded SQS (ElasticMQ) with raw SendMessage and SendMessageBatch calls, side
# by side in one run, at each connection count. Then the production profile's RSS, idle and under load.
#
# Builds nothing: run `./mvnw -B -o -q package -DskipTests` first. Needs wrk (installed with apt-get when missing
# and run as root) and curl. Knobs (environment): WARMUP (s, 180: with 60 the 16-connection row still measured the JIT), DURATION (s per row, 20), CONNECTIONS ("1 16 64"),
# THREADS (wrk threads, 2), SQS_LATENCY_MS (0: with n > 0 SQS sits behind the local cloud's fault proxy, as in the
# cloud profile, which adds n ms to every SQS call: coscale's and raw wrk's alike, since both name port 9324, so the
# baseline has the same latency; AWS's SQS answers in about 10 ms where the embedded one answers in well under 1),
# ROUNDS (1: with n > 1 the four rows of each connection count run n times in turn,
# raw and coscale alternating, and each column prints its median over the rounds), PROFILE=1 (a 30 s JFR recording of the local app after warm-up, into OUT), OUT (where
# wrk's outputs and the logs go; target/bench-submit), JAVA_OPTS (added to both apps' JVM options). Ports 8080, 8081, 9324 and 9325 must be free.
#
# The local app runs a cluster with no room and maxTasks 5,000 (what ECS lets one service hold by default): the queue
# only grows and no worker runs. With no bound the count followed the warm-up's depth (a task per 50 jobs) to tens of
# thousands of PENDING tasks, whose upkeep in the ECS emulator (in the same JVM) took 29 % of its CPU in a JFR profile
# (prod-app.sh and warmup.sh bound their pools alike). The
# queue is purged before each row so that every row starts from the same empty queue. Its heap is capped at 2 GiB:
# left to the JVM's sizing on a large machine it grows to several GiB, and its RSS says nothing about coscale. Its G1
# pause goal is 20 ms instead of 200: the embedded SQS keeps every message of the growing queue in that heap, so each
# young collection copies the messages stored since the last one, and with the default goal those pauses took 47-61 ms
# (21 in 20 s at 64 connections). A pause stalls raw SQS and coscale alike, and wrk corrects its latencies for
# coordinated omission (a stalled request stands for the ones it held back), so every such pause lands in p99 rows
# that measure the local SQS's heap, not coscale. With 20 ms, p99 at 64 connections fell from 66-74 to 54-62 ms.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
JAR=${JAR:-$root/target/quarkus-app/quarkus-run.jar}
WARMUP=${WARMUP:-180}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-"1 16 64"}
ROUNDS=${ROUNDS:-1}
THREADS=${THREADS:-2}
OUT=${OUT:-$root/target/bench-submit}
PORT=8080
PROD_PORT=8081
SQS=http://127.0.0.1:9324
export QUEUE_URL=$SQS/000000000000/demo
# The raw requests' signature (wrk's scripts send it too): well-formed SigV4 with an access key the local cloud's SQS
# fault proxy does not know, which it lets through unchecked where it refuses an unsigned request, as SQS does.
# ElasticMQ ignores it; wrk spends nothing on signing, while coscale's calls are really signed.
export SQS_AUTHORIZATION="AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=$(printf '0%.0s' $(seq 64))"
TICKS=$(getconf CLK_TCK)

# shellcheck source=prod-app.sh
source "$here/prod-app.sh"

[[ -f $JAR ]] || { echo "no $JAR: run ./mvnw -B -o -q package -DskipTests first" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
    [[ $(id -u) == 0 ]] || { echo "wrk is missing; install it (apt-get install wrk) or run as root" >&2; exit 1; }
    apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi
mkdir -p "$OUT"

started=()
cleanup() {
    for pid in "${started[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${started[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# SendMessageBatch calls and the jobs they carried so far, from coscale's metrics at BASE (its http://host:port).
send_calls() {
    curl -sf "$1/q/metrics" | awk '/^coscale_sqs_send_jobs_count/ {c = $2} /^coscale_sqs_send_jobs_sum/ {s = $2}
        END {printf "%d %d", c, s}'
}

# wrk's threads for a connection count: THREADS, or fewer when there are fewer connections (wrk refuses that).
threads() { echo $(($1 < THREADS ? $1 : THREADS)); }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# CPU time (ms) the JIT compiler threads have used so far: CPU per job includes it, and on a busy machine the
# compilers can still be at work after the warm-up (a compiler thread that has exited takes its share with it).
jit_ms() {
    jcmd "$1" Thread.print 2>/dev/null | awk '/^"C[12] CompilerThread/ && match($0, /cpu=[0-9.]+ms/) {
        t += substr($0, RSTART + 4, RLENGTH - 6) } END {printf "%.0f", t}'
}
rss_mib() { awk -v f="${2:-VmRSS}:" '$1 == f {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# Waits until the pool answers on the given port (the app is up and its pools are loaded).
await_pool() {
    await "http://127.0.0.1:$1/v1/pools/demo" "$2"
}

purge() {
    curl -sf -o /dev/null -H "Authorization: $SQS_AUTHORIZATION" --data-urlencode "QueueUrl=$QUEUE_URL" \
        -d "Action=PurgeQueue" "$QUEUE_URL" || true
}

# run LABEL SCRIPT URL CONNECTIONS SECONDS PID: one wrk run; appends a sample to $OUT/rows.
run() {
    local label=$1 script=$2 url=$3 connections=$4 seconds=$5 pid=$6
    local file="$OUT/$(echo "$label-c$connections" | tr ' :/' '___').txt"
    purge
    local before after jit_before jit_after calls_before="" calls_after=""
    [[ $label == sqs* ]] || calls_before=$(send_calls "${url%%/v1/*}")
    jit_before=$(jit_ms "$pid")
    before=$(cpu_ticks "$pid")
    wrk -t"$(threads "$connections")" -c"$connections" -d"${seconds}s" --latency -s "$here/$script" "$url" >"$file" 2>&1
    after=$(cpu_ticks "$pid")
    jit_after=$(jit_ms "$pid")
    [[ $label == sqs* ]] || calls_after=$(send_calls "${url%%/v1/*}")
    local result
    result=$(grep '^RESULT ' "$file") || { echo "wrk failed for $label:" >&2; cat "$file" >&2; exit 1; }
    eval "${result#RESULT }"   # requests= duration_us= jobs_per_request= p50_us= p99_us= non2xx= socket_errors=
    local jobs=$((requests * jobs_per_request))
    local cpu_per_job
    cpu_per_job=$(awk -v t=$((after - before)) -v hz="$TICKS" -v j="$jobs" 'BEGIN {printf "%.3f", j ? t * 1000 / hz / j : 0}')
    # SQS requests per job: raw wrk makes one per request; coscale's SendMessageBatch calls over the jobs they carried.
    local requests_per_job
    if [[ $label == sqs* ]]; then
        requests_per_job=$(awk -v j="$jobs_per_request" 'BEGIN {printf "%.2f", 1 / j}')
    else
        requests_per_job=$(awk -v b="$calls_before" -v a="$calls_after" 'BEGIN {split(b, x, " "); split(a, y, " ")
            printf "%.2f", (y[2] > x[2]) ? (y[1] - x[1]) / (y[2] - x[2]) : 0}')
    fi
    local jit_per_job
    jit_per_job=$(awk -v t=$((${jit_after:-0} - ${jit_before:-0})) -v j="$jobs" 'BEGIN {printf "%.3f", (j && t > 0) ? t / j : 0}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$connections" \
        "$(awk -v r="$requests" -v d="$duration_us" 'BEGIN {printf "%.0f", r / (d / 1e6)}')" \
        "$(awk -v j="$jobs" -v d="$duration_us" 'BEGIN {printf "%.0f", j / (d / 1e6)}')" \
        "$(awk -v u="$p50_us" 'BEGIN {printf "%.2f", u / 1000}')" "$(awk -v u="$p99_us" 'BEGIN {printf "%.1f", u / 1000}')" \
        "$cpu_per_job" "$jit_per_job" "$(rss_mib "$pid")" "$requests_per_job" "$((non2xx + socket_errors))" >>"$OUT/rows"
}

# The table from the samples in $OUT/rows: one line per row label and connection count, in the order first run,
# each column the median of its samples (the lower middle one of an even count) and errors their sum; ratio: a
# coscale row's median jobs/s over the median of the raw row run just before it in each round; hop: its median p50
# less that raw row's.
summarise() {
    awk -F'\t' '
        function median(list,    n, a, i, j, t) {
            n = split(list, a, " ")
            for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return a[int((n + 1) / 2)]
        }
        {
            key = $1 "\t" $2
            if (!(key in seen)) { seen[key] = 1; order[++rows] = key; raw[key] = ($1 ~ /^sqs /) ? "" : last[$2] }
            if ($1 ~ /^sqs /) last[$2] = key
            for (c = 3; c <= 10; c++) col[key, c] = col[key, c] " " $c
            errors[key] += $11; count[key]++
        }
        END {
            for (r = 1; r <= rows; r++) {
                key = order[r]
                line = key
                for (c = 3; c <= 10; c++) line = line "\t" median(col[key, c])
                solo = raw[key] == "" || key ~ /^prod /
                ratio = solo ? "-" : sprintf("%.2f", median(col[key, 4]) / median(col[raw[key], 4]))
                hop = solo ? "-" : sprintf("%.2f", median(col[key, 5]) - median(col[raw[key], 5]))
                print line "\t" errors[key] "\t" ratio "\t" hop "\t" count[key]
            }
        }' "$OUT/rows"
}

: >"$OUT/rows"
SQS_LATENCY_MS=${SQS_LATENCY_MS:-0}
sqs_proxy=()
if [[ $SQS_LATENCY_MS != 0 ]]; then
    sqs_proxy=(-Dcoscale.local.sqs-proxy=true -Dcoscale.local.faults.sqs-latency="${SQS_LATENCY_MS}ms")
    echo "SQS behind the fault proxy, ${SQS_LATENCY_MS} ms added to every call"
fi
echo "starting the packaged app in local mode (cluster with no room) ..."
java -Xmx2g -XX:MaxGCPauseMillis=20 ${JAVA_OPTS:-} "${sqs_proxy[@]}" -Dquarkus.profile=local -Dcoscale.local.cluster-capacity=0 -Dcoscale.pools.demo.max-tasks=5000 \
    -Dcoscale.pools.demo.messages-per-task=50 -jar "$JAR" >"$OUT/local-app.log" 2>&1 &
app=$!
started+=("$app")
await_pool $PORT "$app"
jobs_url=http://127.0.0.1:$PORT/v1/pools/demo/jobs
batch_url=http://127.0.0.1:$PORT/v1/pools/demo/jobs:batch

# UpdateService calls the emulator received, sampled each second over the measured rows: ECS allows 5 per second
# once its burst of 50 is spent, and coscale must stay within that however fast jobs come.
sample_update_service() {
    while sleep 1; do
        curl -sf "http://127.0.0.1:$PORT/local/v1/stats" | grep -o '"UpdateService":[0-9]*' | cut -d: -f2 || echo
    done >"$OUT/update-service"
}

# Warm-up: the raw SQS path as much as coscale's (the JIT compiles ElasticMQ's code for SendMessage separately from
# what coscale's SendMessageBatch calls use), in two passes at each connection count, so that no row of the first
# round runs on colder code than its partner.
echo "warming up for $WARMUP s ..."
slices=$((2 * 4 * $(wc -w <<<"$CONNECTIONS")))
slice=$(( (WARMUP + slices - 1) / slices ))
for pass in 1 2; do
    for c in $CONNECTIONS; do
        for pair in "sqs-send.lua $QUEUE_URL" "coscale-job.lua $jobs_url" "sqs-batch.lua $QUEUE_URL" "coscale-batch.lua $batch_url"; do
            set -- $pair
            wrk -t"$(threads "$c")" -c"$c" -d"${slice}s" -s "$here/$1" "$2" >/dev/null 2>&1
        done
    done
    purge
done
if [[ ${PROFILE:-0} == 1 ]]; then
    jcmd "$app" JFR.start duration=30s settings=profile filename="$OUT/local-app.jfr" >/dev/null
    echo "JFR recording for 30 s into $OUT/local-app.jfr"
fi

sample_update_service &
sampler=$!
started+=("$sampler")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for c in $CONNECTIONS; do
    for round in $(seq 1 "$ROUNDS"); do
        echo "measuring at $c connections, round $round of $ROUNDS ($DURATION s per row) ..."
        run "sqs SendMessage" sqs-send.lua "$QUEUE_URL" "$c" "$DURATION" "$app"
        run "coscale POST /jobs" coscale-job.lua "$jobs_url" "$c" "$DURATION" "$app"
        run "sqs SendMessageBatch (10)" sqs-batch.lua "$QUEUE_URL" "$c" "$DURATION" "$app"
        run "coscale POST /jobs:batch (10)" coscale-batch.lua "$batch_url" "$c" "$DURATION" "$app"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

kill "$sampler" 2>/dev/null || true
update_service=$(awk 'NF && prev != "" {d = $1 - prev; if (d > max) max = d; total += d} NF {prev = $1}
    END {printf "%d calls during the measured rows, at most %d in any 1-s sample", total, max}' "$OUT/update-service")

# The production profile, as on a 512 MiB Fargate task, with the demo pool pointed at the local app's SQS and ECS.
echo "starting the packaged app in the production profile (as in 512 MiB) ..."
read -r -a java_opts <<<"${JAVA_OPTS:-}"
prod_app java "$PROD_PORT" "$SQS" http://127.0.0.1:9325 "$QUEUE_URL" "$OUT/prod-app.log" "${java_opts[@]}"
prod=$!
started+=("$prod")
await_pool $PROD_PORT "$prod"
sleep 5
prod_idle=$(rss_mib "$prod")
prod_c=${CONNECTIONS##* }
# A quarter of the warm-up, so that its row does not measure the JIT compiling the whole path.
wrk -t"$(threads "$prod_c")" -c"$prod_c" -d"$(( (WARMUP + 3) / 4 ))s" -s "$here/coscale-job.lua" "http://127.0.0.1:$PROD_PORT/v1/pools/demo/jobs" >/dev/null 2>&1
run "prod POST /jobs" coscale-job.lua "http://127.0.0.1:$PROD_PORT/v1/pools/demo/jobs" "$prod_c" "$DURATION" "$prod"
prod_load=$(rss_mib "$prod")
prod_peak=$(rss_mib "$prod" VmHWM)

echo
echo "Sustained submission, $(date -u +%F), $(nproc) cores, wrk -t$THREADS, ${DURATION} s per row after ${WARMUP} s of warm-up,"
if [[ $SQS_LATENCY_MS != 0 ]]; then
    echo "SQS latency added by the fault proxy: ${SQS_LATENCY_MS} ms (raw and coscale through the same proxy)"
fi
echo "$ROUNDS round(s) per connection count (medians; n: samples); load average $load_before before the rows, $load_after after"
echo "(CPU and RSS: the coscale JVM, which also hosts the embedded SQS in local mode; of it JIT: its compiler threads' share;"
echo " SQS req/job: SQS requests per job, raw one per request, coscale its SendMessageBatch calls over their jobs;"
echo " ratio: coscale jobs/s / raw SQS jobs/s; hop: coscale p50 - raw SQS p50)"
echo
{
    printf 'row\tconn\treq/s\tjobs/s\tp50 ms\tp99 ms\tCPU ms/job\tof it JIT\tRSS MiB\tSQS req/job\terrors\tratio\thop ms\tn\n'
    summarise
} | column -t -s $'\t'
echo
echo "UpdateService (local app): $update_service (ECS allows 5/s after a burst of 50)"
echo "production profile (no local cloud; pool on the local SQS), JVM sized for a 512 MiB task:"
echo "  RSS idle ${prod_idle} MiB; after ${DURATION} s at ${prod_c} connections ${prod_load} MiB (peak ${prod_peak} MiB) of 512 MiB"
