package io.coscale.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Every distinct AWS call the local cloud served, as IAM would authorize it on AWS: who signed it (the access key id),
 * the IAM action, the resource ARN and the condition keys the request carries. The ECS emulator and the SQS fault
 * proxy record what the real clients sent, so that a test can hold the calls against the deployment templates' policies
 * (coscale signs with {@link #COSCALE_KEY}, workers with {@link #WORKER_KEY}, the local cloud's own set-up with
 * {@link #SETUP_KEY}). Each distinct call is appended once, as a JSON line, to the file
 * {@code coscale.local.aws-call-log} names; without one nothing is kept.
 */
public final class AwsCallLog {

    /** The access key coscale signs with in the local cloud (application.properties). */
    public static final String COSCALE_KEY = "local";
    /** The access key the local cloud's workers sign with (the reference worker, and OS-process workers' environment). */
    public static final String WORKER_KEY = "local-worker";
    /** The access key of the local cloud's own set-up (the demo pool's queues, cluster and service). */
    public static final String SETUP_KEY = "local-setup";
    /** Every key the local cloud hands out; its secret is the key itself. */
    public static final Map<String, String> SECRETS = Map.of(COSCALE_KEY, COSCALE_KEY, WORKER_KEY, WORKER_KEY,
            SETUP_KEY, SETUP_KEY);
    /** A log that keeps nothing. */
    public static final AwsCallLog NONE = new AwsCallLog(null);

    private static final Logger LOG = Logger.getLogger(AwsCallLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One call as IAM sees it.
     *
     * @param accessKey the access key id the request was signed with; "" when unsigned
     * @param action the IAM action, e.g. {@code sqs:SendMessage} (SendMessageBatch is authorized as SendMessage)
     * @param resource the resource ARN, or {@code *} where the action has no resource-level permission
     * @param context the condition keys the request carries, e.g. {@code ecs:cluster}, each with its values
     */
    public record Call(String accessKey, String action, String resource, Map<String, List<String>> context) {
        public Call {
            context = Map.copyOf(new TreeMap<>(context));
        }
    }

    private final Path file;
    private final Set<Call> seen = ConcurrentHashMap.newKeySet();

    private AwsCallLog(Path file) {
        this.file = file;
    }

    /** A log appending to {@code file} (its directory is created), or {@link #NONE}. */
    public static AwsCallLog to(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("coscale.local.aws-call-log: cannot create the directory of " + file, e);
        }
        return new AwsCallLog(file);
    }

    /** Whether calls are kept. */
    public boolean enabled() {
        return file != null;
    }

    /** Keeps {@code call} unless an equal one was kept already. Never throws: a log must not fail the call. */
    public void record(Call call) {
        if (file == null || !seen.add(call)) {
            return;
        }
        try {
            byte[] line = (JSON.writeValueAsString(Map.of("accessKey", call.accessKey(), "action", call.action(),
                    "resource", call.resource(), "context", call.context())) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (this) {
                Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("AWS call log %s: %s not written: %s", file, call, e.toString());
        }
    }

    /**
     * The access key id a SigV4-signed request names ({@code Authorization: AWS4-HMAC-SHA256 Credential=KEY/...}),
     * or "" for an unsigned one.
     */
    public static String accessKey(String authorization) {
        if (authorization == null) {
            return "";
        }
        int start = authorization.indexOf("Credential=");
        if (start < 0) {
            return "";
        }
        start += "Credential=".length();
        int end = authorization.indexOf('/', start);
        return end < 0 ? "" : authorization.substring(start, end);
    }
}
