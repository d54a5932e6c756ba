package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.local.ecs.FaultInjector.Fault;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ecs.model.ServerException;

/**
 * Faults after apply: the change happens, yet the caller sees an error or no answer at all — the case that makes
 * a blind retry of a relative change wrong. Faults before apply change nothing.
 */
class FaultsAfterApplyTest {

    private static final String SERVICE = "svc";

    private EcsEmulatorFixture fx;

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(2, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, 0);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void anErrorAfterApplyIsA500YetTheNewDesiredCountStands() {
        fx.emulator.faults().set("UpdateService", new Fault(Duration.ZERO, 0, null, 1.0, 0));

        ServerException e = (ServerException) catchThrown(() -> fx.setDesiredCount(SERVICE, 3));

        assertThat(e.statusCode()).isEqualTo(500);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServerException");
        assertThat(fx.emulator.stats().snapshot().faultsAfterApply()).isEqualTo(1);
        assertThat(fx.emulator.stats().snapshot().faultsBeforeApply()).isZero();
        fx.emulator.faults().clear();
        assertThat(fx.service(SERVICE).desiredCount()).isEqualTo(3);
    }

    @Test
    void aDroppedConnectionAfterApplyIsAClientSideIoErrorYetTheNewDesiredCountStands() {
        fx.emulator.faults().set("UpdateService", new Fault(Duration.ZERO, 0, null, 0, 1.0));

        // The SDK's URL-connection client sends with a fixed length, so the JDK does not silently resend the POST.
        assertThatThrownBy(() -> fx.setDesiredCount(SERVICE, 2))
                .isInstanceOf(SdkClientException.class)
                .hasRootCauseInstanceOf(IOException.class);

        EmulatorStats.Snapshot stats = fx.emulator.stats().snapshot();
        assertThat(stats.connectionsDropped()).isEqualTo(1);
        assertThat(stats.apiCalls("UpdateService")).as("no silent resend").isEqualTo(1);
        fx.emulator.faults().clear();
        assertThat(fx.service(SERVICE).desiredCount()).isEqualTo(2);
    }

    @Test
    void aFaultBeforeApplyChangesNothing() {
        fx.emulator.faults().set("UpdateService", new Fault(Duration.ZERO, 1.0, "ServerException", 1.0, 1.0));

        assertThatThrownBy(() -> fx.setDesiredCount(SERVICE, 3)).isInstanceOf(ServerException.class);

        EmulatorStats.Snapshot stats = fx.emulator.stats().snapshot();
        assertThat(stats.faultsBeforeApply()).isEqualTo(1);
        assertThat(stats.faultsAfterApply()).isZero();
        assertThat(stats.connectionsDropped()).isZero();
        fx.emulator.faults().clear();
        assertThat(fx.service(SERVICE).desiredCount()).isZero();
    }

    @Test
    void anAllActionsFaultAlsoHitsReads() {
        fx.emulator.faults().set(FaultInjector.ALL, new Fault(Duration.ZERO, 0, null, 1.0, 0));

        assertThatThrownBy(() -> fx.ecs.describeServices(r -> r.cluster(CLUSTER).services(SERVICE)))
                .isInstanceOf(ServerException.class);

        assertThat(fx.emulator.stats().snapshot().faultsAfterApply()).isEqualTo(1);
    }

    @Test
    void ratesOutsideZeroToOneAreRejectedAndClearResetsEverything() {
        FaultInjector faults = fx.emulator.faults();
        assertThatThrownBy(() -> new Fault(Duration.ZERO, 0, null, 1.5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Fault(Duration.ZERO, 0, null, 0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> faults.taskDeathsPerMinute(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> faults.staleReads(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);

        Fault fault = new Fault(Duration.ofMillis(5), 0.1, "ThrottlingException", 0.2, 0.3);
        faults.set("UpdateService", fault);
        faults.staleReads(Duration.ofSeconds(1));
        faults.taskDeathsPerMinute(2);
        assertThat(faults.faults()).isEqualTo(Map.of("UpdateService", fault));
        assertThat(new Fault(Duration.ZERO, 0.5, null)).isEqualTo(new Fault(Duration.ZERO, 0.5, "ServerException", 0, 0));

        faults.clear();

        assertThat(faults.faults()).isEmpty();
        assertThat(faults.staleReads()).isZero();
        assertThat(faults.taskDeathsPerMinute()).isZero();
    }

    private static Throwable catchThrown(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected the call to fail");
    }
}
