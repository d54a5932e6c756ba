package io.coscale.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stacks docs/DEPLOY.md's walk-through deploys, read from the document itself: its {@code export}s and the
 * {@code --parameter-overrides} of the first {@code aws cloudformation deploy} of each template, so that a parameter
 * the document forgets (or misspells) is a failing test. What the walk-through asks AWS for ({@code $(aws sts ...)},
 * the secret's and certificate's ARNs) comes from {@link #STAND_INS}; {@code $(pool_output X)} is the pool stack's own
 * output X as {@link CfnStack} computes it. The pool stack is instantiated first, as the document deploys it first.
 */
final class Walkthrough {

    static final Path DOC = Path.of("docs/DEPLOY.md");
    static final Path POOL_TEMPLATE = Path.of("deploy/cloudformation/worker-pool.yaml");
    static final Path COSCALE_TEMPLATE = Path.of("deploy/cloudformation/coscale.yaml");
    /** The name CloudFormation would generate for the lease table (the template names none). */
    static final String LEASE_TABLE = "coscale-LeaseTable-1Q2W3E4R5T6Y";

    /** What the walk-through's command substitutions would answer on AWS. */
    static final Map<String, String> STAND_INS = Map.of(
            "ACCOUNT", "123456789012",
            "VPC_CIDR", "10.0.0.0/16",
            "SECRET", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:coscale/tokens-a1B2c3",
            "CERT", "arn:aws:acm:eu-west-1:123456789012:certificate/0e5c1f2a-1111-2222-3333-444455556666",
            "POOLS_JSON", "{\"pools\": {}}");

    /** A shell word: plain characters, $(...) groups, $VARIABLES and "quoted" parts, up to unquoted white space. */
    private static final Pattern TOKEN = Pattern.compile("(?:[^\\s\"$]|\\$\\([^)]*\\)|\\$(?!\\()|\"[^\"]*\")+");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)}?");
    private static final Pattern POOL_OUTPUT = Pattern.compile("\\$\\(pool_output (\\w+)\\)");

    final String region;
    final String account;
    final CfnStack pool;
    final CfnStack coscale;
    private final Map<String, String> poolParameters;

    private Walkthrough(String region, String account, CfnStack pool, CfnStack coscale,
            Map<String, String> poolParameters) {
        this.region = region;
        this.account = account;
        this.pool = pool;
        this.coscale = coscale;
        this.poolParameters = poolParameters;
    }

    /** Another pool deployed as the walk-through deploys its own, under the name {@code poolName}. */
    CfnStack anotherPool(String poolName) throws IOException {
        return anotherPool(poolName, Map.of());
    }

    /** As {@link #anotherPool(String)}, with some parameters given other values ({@code Fifo=true}, say). */
    CfnStack anotherPool(String poolName, Map<String, String> overrides) throws IOException {
        Map<String, String> parameters = new LinkedHashMap<>(poolParameters);
        parameters.put("PoolName", poolName);
        parameters.putAll(overrides);
        return new CfnStack(CfnTemplate.load(POOL_TEMPLATE), "coscale-pool-" + poolName, region, account, parameters,
                Map.of());
    }

    static Walkthrough read() throws IOException {
        List<String> commands = commands(Files.readString(DOC));
        Map<String, String> variables = new LinkedHashMap<>();
        Map<String, String> deferred = new LinkedHashMap<>();
        Map<String, Map<String, String>> overrides = new LinkedHashMap<>();
        Map<String, String> stackNames = new LinkedHashMap<>();
        for (String command : commands) {
            List<String> tokens = tokens(command);
            if (tokens.isEmpty()) {
                continue;
            }
            if (tokens.get(0).equals("export")) {
                for (String assignment : tokens.subList(1, tokens.size())) {
                    int eq = assignment.indexOf('=');
                    if (eq < 0) {
                        continue;
                    }
                    String name = assignment.substring(0, eq);
                    String value = assignment.substring(eq + 1);
                    Matcher output = POOL_OUTPUT.matcher(value);
                    if (output.matches()) {
                        deferred.put(name, output.group(1));
                    } else if (value.startsWith("$(")) {
                        variables.put(name, STAND_INS.get(name));
                    } else {
                        variables.putIfAbsent(name, value);
                    }
                }
            } else if (command.startsWith("aws cloudformation deploy") && command.contains("--parameter-overrides")) {
                String template = tokens.get(tokens.indexOf("--template-file") + 1);
                if (overrides.containsKey(template)) {
                    continue; // later deploys of the same template are updates, not the walk-through's first
                }
                stackNames.put(template, tokens.get(tokens.indexOf("--stack-name") + 1));
                Map<String, String> parameters = new LinkedHashMap<>();
                for (String token : tokens.subList(tokens.indexOf("--parameter-overrides") + 1, tokens.size())) {
                    String unquoted = token.replaceAll("^\"|\"$", "");
                    int eq = unquoted.indexOf('=');
                    parameters.put(unquoted.substring(0, eq), unquoted.substring(eq + 1));
                }
                overrides.put(template, parameters);
            }
        }
        String region = variables.get("AWS_REGION");
        String account = variables.get("ACCOUNT");
        Function<String, String> plain = v -> substitute(v, variables);
        Map<String, String> poolParameters = substituted(overrides.get(POOL_TEMPLATE.toString()), plain);
        CfnStack pool = new CfnStack(CfnTemplate.load(POOL_TEMPLATE), plain.apply(stackNames.get(POOL_TEMPLATE.toString())),
                region, account, poolParameters, Map.of());
        deferred.forEach((name, output) -> variables.put(name, pool.output(output)));
        CfnStack coscale = new CfnStack(CfnTemplate.load(COSCALE_TEMPLATE),
                plain.apply(stackNames.get(COSCALE_TEMPLATE.toString())), region, account,
                substituted(overrides.get(COSCALE_TEMPLATE.toString()), plain), Map.of("LeaseTable", LEASE_TABLE));
        return new Walkthrough(region, account, pool, coscale, poolParameters);
    }

    private static Map<String, String> substituted(Map<String, String> parameters, Function<String, String> plain) {
        if (parameters == null) {
            throw new AssertionError(DOC + ": no aws cloudformation deploy --parameter-overrides for a template");
        }
        Map<String, String> out = new LinkedHashMap<>();
        parameters.forEach((k, v) -> out.put(k, plain.apply(v)));
        return out;
    }

    private static String substitute(String value, Map<String, String> variables) {
        String once = substituteOnce(value, variables);
        return once.equals(value) ? value : substitute(once, variables);
    }

    private static String substituteOnce(String value, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = variables.get(m.group(1));
            if (v == null) {
                throw new AssertionError(DOC + ": $" + m.group(1) + " is used before it is set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The shell commands of the document's sh blocks, continuation lines joined and comments dropped. */
    static List<String> commands(String markdown) {
        List<String> commands = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder command = new StringBuilder();
        for (String line : markdown.split("\n")) {
            if (line.startsWith("```")) {
                inBlock = line.equals("```sh");
                continue;
            }
            if (!inBlock) {
                continue;
            }
            String text = line.replaceAll("\\s+#\\s.*$", "");
            if (text.endsWith("\\")) {
                command.append(text, 0, text.length() - 1).append(' ');
                continue;
            }
            command.append(text);
            commands.add(command.toString().trim());
            command.setLength(0);
        }
        return commands;
    }

    private static List<String> tokens(String command) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(command);
        while (m.find()) {
            tokens.add(m.group());
        }
        return tokens;
    }
}
