package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.EcsGateway;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.local.ecs.EcsEmulatorFixture;
import io.coscale.local.ecs.FaultInjector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Tag;

/** The ECS write door against the ECS emulator: a release's exit, its two writes in order. */
class EcsWritesTest {

    private static final String SERVICE = "workers";

    private EcsEmulatorFixture ecs;
    private ControlContext ctx;
    private Pool pool;
    private String task;

    @BeforeEach
    void setUp() throws Exception {
        ecs = EcsEmulatorFixture.start(20, EcsEmulatorFixture.idleRunner());
        ecs.setUpCluster(1, java.util.Map.of());
        ecs.createService(SERVICE, 2);
        ecs.awaitCounts(SERVICE, 2, 0);
        ctx = TestContexts.standard(new EcsGateway(ecs.ecs), null, new ControlMetrics(new SimpleMeterRegistry()));
        pool = new Pool("p", EcsEmulatorFixture.CLUSTER, SERVICE, "http://127.0.0.1:1/000000000000/jobs", 0, 5,
                Mode.PROTECT, 1, 60, Duration.ofSeconds(60));
        task = ecs.activeTasks(SERVICE).get(0).taskArn();
        ctx.writes().changeProtection(pool.cluster(), new ProtectionChange(task, true, 60)).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() {
        ctx.threads().shutdown();
        ecs.close();
    }

    private boolean isProtected() {
        return ecs.ecs.getTaskProtection(b -> b.cluster(EcsEmulatorFixture.CLUSTER).tasks(task)).protectedTasks().get(0)
                .protectionEnabled();
    }

    private boolean tagged() {
        return ecs.ecs.listTagsForResource(r -> r.resourceArn(task)).tags()
                .contains(Tag.builder().key(EcsGateway.EXIT_TAG).value("1").build());
    }

    @Test
    void anExitUnprotectsAndRecordsLeavingTheDecrementToThePoolsNextCountChange() throws Exception {
        ctx.writes().exit(pool, task, OptionalInt.of(1)).get(10, TimeUnit.SECONDS);

        assertThat(isProtected()).isFalse();
        assertThat(tagged()).isTrue();
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(2);
    }

    @Test
    void anExitThatKeepsTheCountOnlyUnprotects() throws Exception {
        ctx.writes().exit(pool, task, OptionalInt.empty()).get(10, TimeUnit.SECONDS);

        assertThat(isProtected()).isFalse();
        assertThat(tagged()).isFalse();
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(2);
    }

    @Test
    void anExitStopsAtTheWriteThatFailedAndSendsNoneAfterIt() {
        ecs.emulator.faults().set("TagResource", new FaultInjector.Fault(Duration.ZERO, 1, "AccessDeniedException"));

        assertThatThrownBy(() -> ctx.writes().exit(pool, task, OptionalInt.of(1)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .satisfies(e -> {
                    assertThat(EcsWrites.failedWrite(e)).isEqualTo(EcsWrites.ExitWrite.RECORD);
                    assertThat(EcsWrites.exitCause(e)).isInstanceOf(AwsCallException.class);
                    assertThat(EcsWrites.surelyNotApplied(EcsWrites.exitCause(e))).isTrue();
                });
        assertThat(isProtected()).as("the unprotect before it went").isFalse();
        assertThat(ecs.service(SERVICE).desiredCount()).as("no UpdateService after a failed record").isEqualTo(2);
    }
}
