package io.coscale.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Puts a test's local cloud under the IAM oracle. As a test resource it gives the application's local cloud a file of
 * its own under {@link IamOracle#RECORDINGS} to record every AWS call in: {@code @WithTestResource(RecordedAwsCalls.class)}
 * for test classes that may share that application (one boot for all of them), {@code @QuarkusTestResource(value =
 * RecordedAwsCalls.class, restrictToAnnotatedClass = true)} for one that needs a fresh one; as an extension ({@code @ExtendWith}) it holds, after
 * the test class, every call recorded by this JVM's local clouds against the deployment templates' policies, prints
 * the figures, and fails the class on any call IAM would deny. A process that runs the cloud elsewhere passes
 * {@link #property()} to it.
 */
public class RecordedAwsCalls implements QuarkusTestResourceLifecycleManager, AfterAllCallback {

    /** Names this JVM's recordings apart from another test JVM's, which may be writing its own meanwhile. */
    private static final String OURS = ProcessHandle.current().pid() + "-";

    /** {@code coscale.local.aws-call-log} naming a new file under {@link IamOracle#RECORDINGS}. */
    public static Map.Entry<String, String> property() {
        return Map.entry("coscale.local.aws-call-log",
                IamOracle.RECORDINGS.resolve(OURS + UUID.randomUUID() + ".jsonl").toAbsolutePath().toString());
    }

    @Override
    public Map<String, String> start() {
        return Map.ofEntries(property());
    }

    @Override
    public void stop() {
        // the application stops what it started
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        IamOracle.Report report = check();
        System.out.println(report.summary() + " (after " + context.getDisplayName() + ")");
        assertThat(report.denied()).as("AWS calls the deployment's IAM policies would deny").isEmpty();
    }

    /**
     * Every call recorded for this JVM since it started (earlier builds' files are not this build's calls, and the
     * integration tests' other fork checks its own).
     */
    public static IamOracle.Report check() throws IOException {
        FileTime started = FileTime.fromMillis(ManagementFactory.getRuntimeMXBean().getStartTime());
        if (!Files.isDirectory(IamOracle.RECORDINGS)) {
            return new IamOracle(Walkthrough.read()).check(List.of());
        }
        try (Stream<Path> files = Files.list(IamOracle.RECORDINGS)) {
            List<Path> ours = files.filter(f -> f.getFileName().toString().startsWith(OURS)).filter(f -> {
                try {
                    return Files.getLastModifiedTime(f).compareTo(started) >= 0;
                } catch (IOException e) {
                    return false;
                }
            }).toList();
            return new IamOracle(Walkthrough.read()).check(IamOracle.read(ours.stream()));
        }
    }
}
