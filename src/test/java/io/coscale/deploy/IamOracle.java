package io.coscale.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.deploy.iam.IamPolicy;
import io.coscale.deploy.iam.IamPolicy.Decision;
import io.coscale.local.AwsCallLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * IAM as an oracle: the AWS calls coscale and its workers made in the local cloud (recorded by {@link AwsCallLog}),
 * each held against the policy of the role it would run under as deployed — coscale's {@code TaskRole} in
 * coscale.yaml, the workers' {@code WorkerTaskRole} in worker-pool.yaml — with the parameters of docs/DEPLOY.md's
 * walk-through ({@link Walkthrough}). The local cloud's names become the walk-through's: Region and account, and the
 * local demo pool (cluster {@code local}, service and queue {@code demo}, {@code demo-dlq}) becomes the walk-through's
 * pool (its stack's queue, dead-letter queue, service and cluster). Anything else keeps its local name, so a call of
 * coscale's on a resource no pool owns is denied, as it would be on AWS. A worker runs under the role of the pool
 * stack of the queue it calls: the walk-through's for {@code demo}, for another local queue N a pool stack named N
 * (queue N-jobs), deployed as the walk-through deploys its own (all local workers sign with one key, so a worker
 * calling another pool's queue is not told apart). Calls signed by the local cloud's set-up or by a test's own
 * clients are no deployed principal's and are left out (counted).
 */
final class IamOracle {

    static final Path RECORDINGS = Path.of("target/aws-calls");
    private static final String LOCAL_REGION_ACCOUNT = ":us-east-1:000000000000:";
    /** The local lease table (coscale.lease.table's default). */
    private static final String LOCAL_LEASE_TABLE = "coscale-lease";
    /** The token secret's name in the local cloud (the rehearsal's); the walk-through's secret on AWS. */
    private static final String LOCAL_TOKEN_SECRET = "coscale-tokens";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The outcome.
     *
     * @param checked distinct (principal, action, resource) triples evaluated
     * @param denied each call a policy denies, with why
     * @param skipped distinct calls of no deployed principal (set-up, tests' own clients)
     */
    record Report(Set<String> checked, List<String> denied, int skipped) {
        String summary() {
            return "IAM oracle: " + checked.size() + " distinct (principal, action, resource) checked against "
                    + "coscale.yaml's TaskRole and worker-pool.yaml's WorkerTaskRole (docs/DEPLOY.md's parameters), "
                    + denied.size() + " denied; " + skipped + " calls of the set-up and the tests' own clients not checked";
        }
    }

    private record Principal(String name, List<IamPolicy.Statement> statements) {
    }

    private final Walkthrough walkthrough;
    private final Principal coscale;
    private final Map<String, Principal> workers = new LinkedHashMap<>();
    private final UnaryOperator<String> deployed;

    IamOracle(Walkthrough walkthrough) {
        this.walkthrough = walkthrough;
        coscale = new Principal("coscale TaskRole", walkthrough.coscale.statements("TaskRole"));
        workers.put("demo", new Principal("worker WorkerTaskRole", walkthrough.pool.statements("WorkerTaskRole")));
        String regionAccount = ":" + walkthrough.region + ":" + walkthrough.account + ":";
        String queue = String.valueOf(walkthrough.pool.property("Queue", "QueueName"));
        String deadLetter = String.valueOf(walkthrough.pool.property("DeadLetterQueue", "QueueName"));
        String service = walkthrough.pool.output("ServiceName");
        String cluster = walkthrough.pool.output("ClusterName");
        deployed = arn -> arn.replace(LOCAL_REGION_ACCOUNT, regionAccount)
                .replaceFirst("^(arn:aws:sqs:[^:]+:[^:]+:)demo$", "$1" + queue)
                .replaceFirst("^(arn:aws:sqs:[^:]+:[^:]+:)demo-dlq$", "$1" + deadLetter)
                .replaceFirst("^(arn:aws:ecs:[^:]+:[^:]+:)service/local/demo$", "$1service/" + cluster + "/" + service)
                .replaceFirst("^(arn:aws:ecs:[^:]+:[^:]+:)(cluster|task)/local\\b", "$1$2/" + cluster)
                .replaceFirst("^(arn:aws:dynamodb:[^:]+:[^:]+:)table/" + LOCAL_LEASE_TABLE + "$",
                        "$1table/" + Walkthrough.LEASE_TABLE)
                .replaceFirst("^arn:aws:secretsmanager:[^:]+:[^:]+:secret:" + LOCAL_TOKEN_SECRET + "-[A-Za-z0-9]{6}$",
                        Walkthrough.STAND_INS.get("SECRET"));
    }

    /** Every call each deployed principal made, evaluated; a call of another key is skipped. */
    Report check(Collection<AwsCallLog.Call> calls) {
        Set<String> checked = new TreeSet<>();
        List<String> denied = new ArrayList<>();
        Set<AwsCallLog.Call> skipped = new LinkedHashSet<>();
        for (AwsCallLog.Call call : calls) {
            Principal principal;
            String resource = deployed.apply(call.resource());
            if (call.accessKey().equals(AwsCallLog.COSCALE_KEY)) {
                principal = coscale;
            } else if (call.accessKey().equals(AwsCallLog.WORKER_KEY)) {
                String queue = call.resource().substring(call.resource().lastIndexOf(':') + 1);
                principal = worker(queue);
                if (!queue.equals("demo") && queue.matches("[a-z][a-z0-9]*")) {
                    resource = resource + "-jobs";
                }
            } else {
                skipped.add(call);
                continue;
            }
            Map<String, List<String>> context = new LinkedHashMap<>();
            call.context().forEach((k, v) -> context.put(k, v.stream().map(deployed).toList()));
            IamPolicy.Request request = new IamPolicy.Request(call.action(), resource, context);
            checked.add(principal.name() + " " + request.action() + " " + request.resource());
            Decision decision = IamPolicy.evaluate(principal.statements(), request);
            String why = principal.name() + " " + request.action() + " on " + request.resource() + " " + context + ": "
                    + decision + " (local call " + call + ")";
            if (decision != Decision.ALLOWED && !denied.contains(why)) {
                denied.add(why);
            }
        }
        return new Report(checked, denied, skipped.size());
    }

    /** The worker role of the pool stack whose queue is the local queue {@code queue}. */
    private Principal worker(String queue) {
        return workers.computeIfAbsent(queue, q -> {
            if (!q.matches("[a-z][a-z0-9]*")) {
                return workers.get("demo"); // no pool stack can be named so: the walk-through's role, which denies it
            }
            try {
                return new Principal("worker WorkerTaskRole", walkthrough.anotherPool(q).statements("WorkerTaskRole"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The calls recorded in {@code files} (JSON lines of {@link AwsCallLog}). */
    static List<AwsCallLog.Call> read(Stream<Path> files) {
        List<AwsCallLog.Call> calls = new ArrayList<>();
        files.forEach(file -> {
            try {
                for (String line : Files.readAllLines(file)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode node = JSON.readTree(line);
                    Map<String, List<String>> context = new LinkedHashMap<>();
                    node.path("context").fields().forEachRemaining(f -> {
                        List<String> values = new ArrayList<>();
                        f.getValue().forEach(v -> values.add(v.asText()));
                        context.put(f.getKey(), values);
                    });
                    calls.add(new AwsCallLog.Call(node.path("accessKey").asText(), node.path("action").asText(),
                            node.path("resource").asText(), context));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return calls;
    }
}
