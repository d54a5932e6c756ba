#!/usr/bin/env bash
# A replica just deployed: how fast does it serve in its first minute, against how fast once warm? Runs coscale as
# deployed (the production profile, alone in its JVM, sized as on a 512 MiB task) against a local cloud in another
# JVM (its SQS and ECS emulator, warmed up first so that only coscale is cold), and from the moment coscale answers
# keeps 64 connections of POST /v1/pools/demo/jobs on it for TOTAL seconds, in windows of WINDOW seconds. Prints
# jobs/s per window, the window that starts 20 s after readiness against the warm figure (the median of the windows
# after WARM_AFTER s), the start-up time (process start to the first answer) and RSS, for each JVM set-up (VARIANTS):
#   jdk17        the container image's JVM (Java 17), as today
#   jdk17-cds    the same with an application class-data archive written by a training run (-XX:ArchiveClassesAtExit)
#   jdk17-eager  the same with the JIT's thresholds at a tenth (-XX:CompileThresholdScaling=0.1): hot code compiled sooner
#   jdk17-warm   the image's JVM with coscale's warm-up before readiness on (coscale.warm-up.duration=WARM_UP); every
#                other variant runs with it off
#   jdk25        Java 25 (JAVA25), nothing else
#   jdk25-aot    Java 25 with an AOT cache from a training run under load (-XX:AOTMode=record, then create: classes
#                loaded and linked, and the methods' profiles, so the JIT compiles the hot path sooner)
# A training run starts coscale, submits for TRAIN seconds and stops it; the archive is written at its exit (the AOT
# cache then assembled from what it recorded).
#
# Builds nothing: run `./mvnw -B -o -q package -DskipTests` first. Needs wrk (apt-get install wrk) and curl.
# "Readiness" is /q/health/ready answering 200, as the load balancer sees it; the start-up time is from process start.
# Knobs (environment): VARIANTS ("jdk17 jdk17-warm"), WARM_UP (20s), TOTAL (s, 150), WINDOW (s, 5), WARM_AFTER (s, 100),
# CONNECTIONS (64), TRAIN (s, 60), CLOUD_WARMUP (s, 60), JAVA17, JAVA25, OUT (target/bench-warmup).
# Ports 18080, 18081, 19324 and 19325 must be free (bench/submit.sh's are left alone, so both can run).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
APP=$root/target/quarkus-app
JAR=$APP/quarkus-run.jar
VARIANTS=${VARIANTS:-"jdk17 jdk17-warm"}
WARM_UP=${WARM_UP:-20s}
TOTAL=${TOTAL:-150}
WINDOW=${WINDOW:-5}
WARM_AFTER=${WARM_AFTER:-100}
CONNECTIONS=${CONNECTIONS:-64}
TRAIN=${TRAIN:-60}
CLOUD_WARMUP=${CLOUD_WARMUP:-60}
JAVA17=${JAVA17:-$(command -v java)}
JAVA25=${JAVA25:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)}
OUT=${OUT:-$root/target/bench-warmup}
CLOUD_PORT=18080
PORT=18081
SQS=http://127.0.0.1:19324
QUEUE_URL=$SQS/000000000000/demo

[[ -f $APP/quarkus-run.jar ]] || { echo "no $APP/quarkus-run.jar: run ./mvnw -B -o -q package -DskipTests first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
mkdir -p "$OUT"

started=()
cleanup() {
    for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${started[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=prod-app.sh
source "$here/prod-app.sh"

# coscale JAVA LOG [JVM options...]: coscale as deployed on the local cloud's ports (its pid: $!).
coscale() {
    local java=$1 log=$2
    shift 2
    prod_app "$java" "$PORT" "$SQS" http://127.0.0.1:19325 "$QUEUE_URL" "$log" "$@"
}

# stop PID: stops a JVM and waits until it is gone: a training run writes its archive as it exits.
stop() {
    kill "$1" 2>/dev/null || true
    while kill -0 "$1" 2>/dev/null; do sleep 0.1; done
}

rss_mib() { awk -v f="${2:-VmRSS}:" '$1 == f {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
now() { date +%s.%N; }
purge() { curl -sf -o /dev/null --data-urlencode "QueueUrl=$QUEUE_URL" -d "Action=PurgeQueue" "$QUEUE_URL" || true; }

# jobs_per_s SECONDS: one wrk window at CONNECTIONS against coscale; prints the jobs answered 202 per second.
jobs_per_s() {
    local file=$OUT/window.txt
    wrk -t2 -c"$CONNECTIONS" -d"${1}s" -s "$here/coscale-job.lua" "http://127.0.0.1:$PORT/v1/pools/demo/jobs" >"$file" 2>&1
    local result
    result=$(grep '^RESULT ' "$file") || { echo "wrk failed:" >&2; cat "$file" >&2; exit 1; }
    eval "${result#RESULT }"
    awk -v r="$requests" -v e="$non2xx" -v d="$duration_us" 'BEGIN {printf "%.0f", (r - e) / (d / 1e6)}'
}

# train VARIANT: a training run that writes the variant's archive or cache at its exit.
train() {
    local pid
    case $1 in
        jdk17-cds) coscale "$JAVA17" "$OUT/train-$1.log" -Dcoscale.warm-up.duration=0 -XX:ArchiveClassesAtExit="$OUT/app.jsa" ;;
        jdk25-aot) coscale "$JAVA25" "$OUT/train-$1.log" -Dcoscale.warm-up.duration=0 -XX:AOTMode=record -XX:AOTConfiguration="$OUT/app.aotconf" ;;
        *) return 0 ;;
    esac
    pid=$!
    started+=("$pid")
    await "http://127.0.0.1:$PORT/v1/pools/demo" "$pid"
    echo "  training $1 for $TRAIN s ..." >&2
    jobs_per_s "$TRAIN" >/dev/null
    purge
    stop "$pid"
    if [[ $1 == jdk25-aot ]]; then
        # The cache is assembled from the recorded configuration in a JVM of its own, before any run uses it; the
        # training, the assembly and the measured run must agree on the JVM's sizing: the cache holds the heap's layout.
        "$JAVA25" "${PROD_SIZING[@]}" -XX:AOTMode=create -XX:AOTConfiguration="$OUT/app.aotconf" -XX:AOTCache="$OUT/app.aot" \
            -jar "$APP/quarkus-run.jar" >"$OUT/create-$1.log" 2>&1
    fi
}

options() {
    local off=-Dcoscale.warm-up.duration=0
    case $1 in
        jdk17) echo "$JAVA17 $off" ;;
        jdk17-cds) echo "$JAVA17 $off -XX:SharedArchiveFile=$OUT/app.jsa" ;;
        jdk17-eager) echo "$JAVA17 $off -XX:CompileThresholdScaling=0.1" ;;
        jdk17-warm) echo "$JAVA17 -Dcoscale.warm-up.duration=$WARM_UP" ;;
        jdk25) echo "$JAVA25 $off" ;;
        jdk25-aot) echo "$JAVA25 $off -XX:AOTCache=$OUT/app.aot" ;;
        *) echo "unknown variant $1" >&2; exit 1 ;;
    esac
}

echo "starting the local cloud (its SQS and ECS emulator; a cluster with no room) ..."
"$JAVA17" -Xmx2g -XX:MaxGCPauseMillis=20 -Dquarkus.profile=local -Dquarkus.http.port=$CLOUD_PORT \
    -Dcoscale.local.sqs-port=19324 -Dcoscale.local.ecs-port=19325 -Dcoscale.local.cluster-capacity=0 \
    -Dcoscale.pools.demo.max-tasks=5000 -Dcoscale.pools.demo.messages-per-task=50 \
    -jar "$APP/quarkus-run.jar" >"$OUT/cloud.log" 2>&1 &
cloud=$!
started+=("$cloud")
await "http://127.0.0.1:$CLOUD_PORT/v1/pools/demo" "$cloud"
echo "warming the local cloud's SQS for $CLOUD_WARMUP s ..."
wrk -t2 -c"$CONNECTIONS" -d"${CLOUD_WARMUP}s" -s "$here/sqs-send.lua" "$QUEUE_URL" >/dev/null 2>&1
purge

summary=()
for variant in $VARIANTS; do
    echo "$variant:"
    train "$variant"
    read -r -a cmd <<<"$(options "$variant")"
    t0=$(now)
    coscale "${cmd[0]}" "$OUT/run-$variant.log" "${cmd[@]:1}"
    pid=$!
    started+=("$pid")
    await "http://127.0.0.1:$PORT/q/health/ready" "$pid"
    ready=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}')
    rss_idle=$(rss_mib "$pid")
    windows=()
    for ((at = 0; at < TOTAL; at += WINDOW)); do
        windows+=("$(jobs_per_s "$WINDOW")")
        purge
    done
    rss_load=$(rss_mib "$pid")
    stop "$pid"
    echo "  ready ${ready} s after start; RSS ${rss_idle} MiB idle, ${rss_load} MiB after the run"
    echo "  jobs/s per ${WINDOW}-s window from readiness: ${windows[*]}"
    summary+=("$(printf '%s\n' "${windows[@]}" | awk -v v="$variant" -v w="$WINDOW" -v after="$WARM_AFTER" \
        -v ready="$ready" -v idle="$rss_idle" -v load="$rss_load" '
        { at = (NR - 1) * w; if (at == 20) at20 = $1; if (at >= after) warm[++n] = $1; if (at < 60) { first += $1; m++ } }
        END {
            for (i = 2; i <= n; i++) for (j = i; j > 1 && warm[j - 1] > warm[j]; j--) { t = warm[j]; warm[j] = warm[j - 1]; warm[j - 1] = t }
            med = warm[int((n + 1) / 2)]
            printf "%s\t%s\t%s / %s\t%d\t%d\t%.0f\t%.2f\t%.2f\n", v, ready, idle, load, at20, med, first / m, at20 / med, first / m / med
        }')")
done

echo
echo "First minute of a replica, $(date -u +%F), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg);"
echo "$CONNECTIONS connections of POST /jobs from readiness on, ${WINDOW}-s windows; warm: the median window from ${WARM_AFTER} s"
echo
{
    printf 'variant\tready s\tRSS MiB idle / run\tjobs/s at 20 s\twarm jobs/s\tfirst minute\tat 20 s / warm\tfirst minute / warm\n'
    printf '%s\n' "${summary[@]}"
} | column -t -s $'\t'
