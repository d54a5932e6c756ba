package io.coscale.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every setting coscale and the Python worker read in production is either set by the templates or left at a default
 * on purpose, said here with why. coscale's settings are every property of its {@code @ConfigMapping} interfaces (read
 * by reflection, so a new one is a failing test until it is placed), the pools document's two properties and the
 * Quarkus ones it relies on; the worker's are every variable {@code coscale_run.py} (the job runner every worker runs under) reads (read from its source). A
 * template variable nobody reads is a failure too.
 */
class ProductionSettingsTest {

    static final Path WORKER = Path.of("deploy/coscale-run/coscale_run.py");

    /**
     * coscale's settings left at their default in production, by property prefix (the longest prefix wins), and why
     * that is right on ECS.
     */
    static final Map<String, String> COSCALE_DEFAULTS = Map.ofEntries(
            Map.entry("coscale.local.", "local mode: off unless coscale.local.enabled, which only the dev, local, test, "
                    + "cloud and attached profiles set"),
            Map.entry("coscale.pools.", "the pools come from the pools document, COSCALE_POOLS_JSON (set)"),
            Map.entry("coscale.pools-file", "the pools come from COSCALE_POOLS_JSON on ECS; the file is for coscale outside ECS"),
            Map.entry("coscale.auth.tokens.", "each token's roles are set per token (upstream, worker, operator, replica),"
                    + " its secret is the token secret's key of its name; a token's other settings keep their defaults"),
            Map.entry("coscale.auth.token-refresh", "the token secret is read again every minute: a rotation's keys are"
                    + " accepted within a minute, for one GetSecretValue per replica per minute"),
            Map.entry("coscale.auth.secrets-endpoint-override", "unset: the SDK's Secrets Manager endpoint for the task's"
                    + " Region"),
            Map.entry("coscale.ecs.endpoint-override", "unset: the SDK's endpoint for COSCALE_ECS_REGION"),
            Map.entry("coscale.ecs.", "ECS's documented request limits per account and Region and the SDK's timeouts: the "
                    + "defaults are AWS's own figures (docs/CONFIGURATION.md)"),
            Map.entry("coscale.control.", "the control loop's pacing, tuned against the emulator's AWS limits (docs/CONFIGURATION.md)"),
            Map.entry("coscale.reconcile.", "the reconcile interval and read fan-out, sized for ECS's read limits"),
            Map.entry("coscale.jobs.", "SQS's own limits (message size, batch of 10)"),
            Map.entry("coscale.status.", "status freshness and the charts' sampling: presentation only"),
            Map.entry("coscale.pool-data.poll-interval", "how soon a pool changed on one replica is managed on the others: "
                    + "2 s keeps it well within 10 s at 900 read units an hour"),
            Map.entry("coscale.idempotency.", "the Idempotency-Key records share the lease table (COSCALE_LEASE_TABLE) "
                    + "and keep a day, SQS's own deduplication horizon being 5 minutes"),
            Map.entry("coscale.lease.dynamodb.", "unset: the SDK's DynamoDB endpoint for the task's Region"),
            Map.entry("coscale.lease.name", "one coscale per lease table: the default item name is enough"),
            Map.entry("coscale.lease.", "the lease timing (5 s lease, 1 s heartbeat, 1 s margin): a takeover within "
                    + "about 8 s, checked at start-up (docs/ARCHITECTURE.md)"),
            Map.entry("coscale.auth.", "the tokens' settings are set per token"),
            Map.entry("coscale.metrics.emf.interval", "60 s, CloudWatch's standard resolution and the alarms' period"),
            Map.entry("quarkus.http.port", "8080, the container port the target group and the security groups name"),
            Map.entry("quarkus.sqs.aws.region", "unset: the SDK reads AWS_REGION, which ECS sets in every task"),
            Map.entry("quarkus.sqs.aws.credentials.type", "unset: the SDK's default chain, i.e. the task role"));

    /** The Python worker's variables the worker template leaves unset on purpose, and why. */
    static final Map<String, String> WORKER_DEFAULTS = Map.ofEntries(
            Map.entry("ECS_CONTAINER_METADATA_URI_V4", "ECS sets it in every task (the task's ARN comes from there)"),
            Map.entry("AWS_DEFAULT_REGION", "AWS_REGION is set, and read first"),
            Map.entry("AWS_ENDPOINT_URL_SQS", "unset: SQS's endpoint for AWS_REGION (the local cloud sets it)"),
            Map.entry("AWS_ENDPOINT_URL", "unset, as AWS_ENDPOINT_URL_SQS"),
            Map.entry("COSCALE_LOCAL_JOB_EVENTS", "the local cloud's statistics only"),
            Map.entry("AWS_ACCESS_KEY_ID", "unset on ECS: the task role's credentials come from the container credentials "
                    + "endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, which ECS sets)"),
            Map.entry("AWS_SECRET_ACCESS_KEY", "unset on ECS, as AWS_ACCESS_KEY_ID"),
            Map.entry("AWS_SESSION_TOKEN", "unset on ECS, as AWS_ACCESS_KEY_ID"),
            Map.entry("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "ECS sets it in every task with a task role"),
            Map.entry("AWS_CONTAINER_AUTHORIZATION_TOKEN", "EKS Pod Identity and Greengrass only; ECS's endpoint needs none"),
            Map.entry("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "as AWS_CONTAINER_AUTHORIZATION_TOKEN"),
            Map.entry("JOB_TIMEOUT_SECONDS", "unset: no per-job timeout; a pool whose jobs have a bound sets it"),
            Map.entry("FIRST_WAIT_SECONDS", "20, SQS's longest long poll (also the queue's ReceiveMessageWaitTimeSeconds)"),
            Map.entry("NEXT_WAIT_SECONDS", "1: after a job, ask for the next one without idling long"),
            Map.entry("STAY_WAIT_SECONDS", "5: the pause when coscale answers stay"),
            Map.entry("STOP_GRACE_SECONDS", "derived from STOP_TIMEOUT_SECONDS (set): the stop timeout less 10 s"));

    @Test
    void everyCoscaleSettingIsSetByTheTemplateOrDeliberatelyLeftAtItsDefault() throws Exception {
        CfnTemplate coscale = CfnTemplate.load(Walkthrough.COSCALE_TEMPLATE);
        Set<String> variables = new TreeSet<>();
        Map<String, Object> container = container(coscale);
        variables.addAll(names(container.get("Environment")));
        variables.addAll(names(container.get("Secrets")));

        Map<String, Boolean> properties = coscaleProperties();
        List<String> unplaced = new ArrayList<>();
        for (Map.Entry<String, Boolean> property : properties.entrySet()) {
            boolean set = variables.stream().anyMatch(v -> envMatches(property.getKey(), v));
            Optional<String> why = reason(property.getKey());
            if (!set && why.isEmpty()) {
                unplaced.add(property.getKey() + (property.getValue() ? " (required: no default)" : ""));
            }
            if (!set && property.getValue() && !property.getKey().startsWith("coscale.pools.")) {
                unplaced.add(property.getKey() + " has no default, so production must set it");
            }
        }
        assertThat(unplaced).as("settings neither set by coscale.yaml nor given a reason here").isEmpty();
        for (String variable : variables) {
            assertThat(properties.keySet().stream().anyMatch(p -> envMatches(p, variable)))
                    .as("coscale.yaml sets %s, which no setting reads", variable).isTrue();
        }
        System.out.println("coscale settings checked: " + properties.size() + " (" + variables.size()
                + " variables set by coscale.yaml, the rest at deliberate defaults)");
    }

    @Test
    void everyPythonWorkerVariableIsSetByTheTemplateOrDeliberatelyUnset() throws IOException {
        Set<String> read = workerVariables();
        Set<String> set = new TreeSet<>();
        Map<String, Object> container = container(CfnTemplate.load(Walkthrough.POOL_TEMPLATE));
        set.addAll(names(container.get("Environment")));
        set.addAll(names(container.get("Secrets")));

        Set<String> unplaced = new TreeSet<>(read);
        unplaced.removeAll(set);
        unplaced.removeAll(WORKER_DEFAULTS.keySet());
        assertThat(unplaced).as("worker variables neither set by worker-pool.yaml nor given a reason here").isEmpty();
        assertThat(read).as("worker-pool.yaml sets variables coscale-run never reads").containsAll(set);
        assertThat(read).as("reasons given here for variables coscale-run no longer reads").containsAll(WORKER_DEFAULTS.keySet());
        assertThat(set).as("set by the template and also called a default here").doesNotContainAnyElementsOf(WORKER_DEFAULTS.keySet());
        System.out.println("Python worker variables checked: " + read.size() + " (" + set.size() + " set by worker-pool.yaml)");
    }

    @Test
    void theWorkersStopGraceFollowsTheTaskDefinitionsStopTimeout() throws IOException {
        // The walk-through's EC2 pool: the agent's stop timeout (Ec2StopTimeout=900), no container StopTimeout.
        Walkthrough walkthrough = Walkthrough.read();
        Map<String, Object> ec2 = resolvedContainer(walkthrough.pool);
        assertThat(ec2).doesNotContainKey("StopTimeout");
        assertThat(environment(ec2)).containsEntry("STOP_TIMEOUT_SECONDS", "900");

        // A Fargate Spot pool: the task definition's own stop timeout.
        Map<String, Object> spot = resolvedContainer(new CfnStack(CfnTemplate.load(Walkthrough.POOL_TEMPLATE),
                "coscale-pool-spot", walkthrough.region, walkthrough.account,
                Map.of("PoolName", "spot", "LaunchType", "FARGATE_SPOT", "StopTimeout", "90", "VpcId", "vpc-1",
                        "SubnetIds", "subnet-1", "Image", "worker:1", "CoscaleUrl", "https://coscale.example.com",
                        "TokenSecretArn", Walkthrough.STAND_INS.get("SECRET")), Map.of()));
        assertThat(spot).containsEntry("StopTimeout", "90");
        assertThat(environment(spot)).containsEntry("STOP_TIMEOUT_SECONDS", "90");
    }

    // --- coscale's properties -----------------------------------------------------------------------------------

    /** Every property of the {@code @ConfigMapping} interfaces in io.coscale.config, to whether it lacks a default. */
    static Map<String, Boolean> coscaleProperties() throws Exception {
        Map<String, Boolean> properties = new TreeMap<>();
        Path classes = Path.of("target/classes/io/coscale/config");
        try (Stream<Path> files = Files.list(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).toList()) {
                Class<?> type = Class.forName("io.coscale.config." + file.getFileName().toString().replace(".class", ""));
                ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
                if (mapping != null) {
                    walk(type, mapping.prefix(), properties);
                }
            }
        }
        properties.put("coscale.pools-json", false);
        properties.put("coscale.pools-file", false);
        properties.put("quarkus.http.port", false);
        properties.put("quarkus.sqs.aws.region", false);
        properties.put("quarkus.sqs.aws.credentials.type", false);
        return properties;
    }

    private static void walk(Class<?> type, String prefix, Map<String, Boolean> properties) {
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() > 0 || method.isDefault() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String name = method.isAnnotationPresent(WithName.class) ? method.getAnnotation(WithName.class).value()
                    : kebab(method.getName());
            String key = method.isAnnotationPresent(WithParentName.class) ? prefix : prefix + "." + name;
            Type returned = method.getGenericReturnType();
            if (method.getReturnType() == Map.class) {
                Type value = ((ParameterizedType) returned).getActualTypeArguments()[1];
                if (value instanceof Class<?> group && group.isInterface()) {
                    walk(group, key + ".*", properties);
                } else {
                    properties.put(key + ".*", false);
                }
            } else if (method.getReturnType().isInterface() && method.getReturnType().getName().startsWith("io.coscale")) {
                walk(method.getReturnType(), key, properties);
            } else {
                boolean optional = method.getReturnType() == Optional.class || method.getReturnType().getName()
                        .startsWith("java.util.Optional");
                properties.put(key, !optional && !method.isAnnotationPresent(WithDefault.class));
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** Whether environment variable {@code variable} sets {@code property} (SmallRye's rule; {@code *} any one key). */
    static boolean envMatches(String property, String variable) {
        String pattern = Pattern.quote(property.replaceAll("[^a-zA-Z0-9*]", "_").toUpperCase())
                .replace("*", "\\E[A-Z0-9]+\\Q");
        return variable.matches(pattern);
    }

    private static Optional<String> reason(String property) {
        return COSCALE_DEFAULTS.entrySet().stream().filter(e -> property.startsWith(e.getKey()))
                .max((a, b) -> Integer.compare(a.getKey().length(), b.getKey().length())).map(Map.Entry::getValue);
    }

    // --- the worker's variables ---------------------------------------------------------------------------------

    static Set<String> workerVariables() throws IOException {
        Matcher m = Pattern.compile("(?:environ\\.get\\(|environ\\[|env\\.get\\(|env\\[|setting\\()\"([A-Z][A-Z0-9_]*)\"")
                .matcher(Files.readString(WORKER));
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    // --- templates ----------------------------------------------------------------------------------------------

    private static Map<String, Object> container(CfnTemplate template) {
        return CfnTemplate.asMap(CfnTemplate.list(template.properties("TaskDefinition").get("ContainerDefinitions")).get(0));
    }

    private static Map<String, Object> resolvedContainer(CfnStack stack) {
        return CfnTemplate.asMap(CfnTemplate.list(stack.property("TaskDefinition", "ContainerDefinitions")).get(0));
    }

    private static Map<String, String> environment(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object entry : CfnTemplate.list(container.get("Environment"))) {
            Map<String, Object> e = CfnTemplate.asMap(entry);
            env.put(String.valueOf(e.get("Name")), String.valueOf(e.get("Value")));
        }
        return env;
    }

    /** The Name of each entry, including those inside {@code !If [cond, entry, NoValue]}. */
    private static Set<String> names(Object entries) {
        Set<String> names = new TreeSet<>();
        for (Object entry : CfnTemplate.list(entries)) {
            Map<String, Object> e = CfnTemplate.asMap(entry);
            if (e.containsKey("Fn::If")) {
                e = CfnTemplate.asMap(((List<?>) e.get("Fn::If")).get(1));
            }
            names.add(String.valueOf(e.get("Name")));
        }
        return names;
    }
}
