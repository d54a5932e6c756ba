# Sourced by the benchmark scripts: coscale as deployed, in the production profile, its JVM sized as on a 512 MiB task
# (the container image's JVM sizes its heap from the task's memory; MaxRAM stands in for the cgroup limit), with the
# demo pool on a local cloud's SQS and ECS emulator, and the wait for an app to answer. Needs JAR (the packaged
# app's quarkus-run.jar) and OUT (where the logs go).

PROD_SIZING=(-XX:MaxRAM=512m -XX:MaxRAMPercentage=80)

# prod_app JAVA HTTP_PORT SQS_URL ECS_URL QUEUE_URL LOG [JVM options...]: starts it in the background (its pid: $!).
prod_app() {
    local java=$1 port=$2 sqs=$3 ecs=$4 queue=$5 log=$6
    shift 6
    AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 \
    "$java" "${PROD_SIZING[@]}" "$@" -Dquarkus.profile=prod -Dquarkus.http.port="$port" \
        -Dquarkus.http.host=127.0.0.1 -Dcoscale.auth.enabled=false \
        -Dquarkus.sqs.endpoint-override="$sqs" -Dquarkus.sqs.aws.region=us-east-1 \
        -Dquarkus.sqs.aws.credentials.type=static -Dquarkus.sqs.aws.credentials.static-provider.access-key-id=local \
        -Dquarkus.sqs.aws.credentials.static-provider.secret-access-key=local \
        -Dcoscale.ecs.endpoint-override="$ecs" -Dcoscale.ecs.region=us-east-1 \
        -Dcoscale.pools.demo.cluster=local -Dcoscale.pools.demo.service=demo -Dcoscale.pools.demo.queue-url="$queue" \
        -Dcoscale.pools.demo.max-tasks=5000 -Dcoscale.pools.demo.messages-per-task=50 \
        -jar "$JAR" >"$log" 2>&1 &
}

# await URL PID: waits until URL answers; fails when the process exits or after 120 s.
await() {
    for _ in $(seq 1 1200); do
        kill -0 "$2" 2>/dev/null || { echo "the app behind $1 exited; see $OUT" >&2; exit 1; }
        curl -sf -o /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "$1 did not answer within 120 s" >&2
    exit 1
}
