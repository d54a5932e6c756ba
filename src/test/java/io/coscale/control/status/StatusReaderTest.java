package io.coscale.control.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.aws.ServiceState;
import io.coscale.control.PoolStatus;
import io.coscale.domain.QueueDepth;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How {@link StatusReader#compose} puts what status read into a controller's own status. */
class StatusReaderTest {

    private static final Instant RECONCILED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant READ = Instant.parse("2026-01-01T00:00:09Z");
    private static final String DLQ = "http://127.0.0.1:9324/000000000000/demo-dlq";

    private static PoolStatus own(Integer desired) {
        return new PoolStatus("demo", "local", "demo", "http://127.0.0.1:9324/000000000000/demo", "protect", 0, 8, 1,
                desired, 1, 0, new PoolStatus.Queue(3, 1, 0), 1, 1, RECONCILED, null);
    }

    private static Optional<Observed<ServiceState>> ecs(int desired, int running, int pending) {
        return Optional.of(new Observed<>(new ServiceState("local", "demo", desired, running, pending, true, "td:1"), READ));
    }

    private static Optional<Observed<QueueObservation>> sqs(String deadLetterUrl, Long deadLetterVisible) {
        return Optional.of(new Observed<>(new QueueObservation(new QueueDepth(7, 2, 1), deadLetterUrl,
                deadLetterVisible), READ));
    }

    @Test
    void readFiguresReplaceTheReconcilesCopiesAndCarryTheirTime() {
        PoolStatus status = StatusReader.compose(own(4), ecs(4, 3, 1), sqs(DLQ, 2L));

        assertThat(status.runningCount()).isEqualTo(3);
        assertThat(status.pendingCount()).isEqualTo(1);
        assertThat(status.ecsObservedAt()).isEqualTo(READ);
        assertThat(status.queue()).isEqualTo(new PoolStatus.Queue(7, 2, 1, READ));
        assertThat(status.deadLetter()).isEqualTo(new PoolStatus.DeadLetter(DLQ, 2L, READ));
        assertThat(status.lastReconcileAt()).isEqualTo(RECONCILED);
        assertThat(status.busyTasks()).isEqualTo(1);
    }

    @Test
    void desiredCountStaysCoscalesOwnEvenWhenEcsSaysOtherwise() {
        // coscale raised the count to 5 a moment ago; ECS's read does not show it yet.
        assertThat(StatusReader.compose(own(5), ecs(4, 3, 1), sqs(null, null)).desiredCount()).isEqualTo(5);
    }

    @Test
    void aReplicaThatDoesNotLeadShowsEcsCountAndTheLeader() {
        PoolStatus status = StatusReader.compose(own(5), ecs(4, 3, 1), sqs(null, null), false,
                new PoolStatus.Leader("b", 3));
        assertThat(status.desiredCount()).as("it writes nothing: its own count is stale").isEqualTo(4);
        assertThat(status.leader()).isEqualTo(new PoolStatus.Leader("b", 3));
    }

    @Test
    void desiredCountIsEcsWhileCoscaleHasNoneOfItsOwn() {
        assertThat(StatusReader.compose(own(null), ecs(4, 3, 1), sqs(null, null)).desiredCount()).isEqualTo(4);
    }

    @Test
    void aQueueWithoutRedrivePolicyHasNoDeadLetter() {
        assertThat(StatusReader.compose(own(4), ecs(4, 3, 1), sqs(null, null)).deadLetter()).isNull();
    }

    @Test
    void aDeadLetterQueueThatCouldNotBeReadIsNamedWithoutACount() {
        assertThat(StatusReader.compose(own(4), ecs(4, 3, 1), sqs(DLQ, null)).deadLetter())
                .isEqualTo(new PoolStatus.DeadLetter(DLQ, null, READ));
    }

    @Test
    void nothingReadYetShowsTheControllersFiguresWithNoTime() {
        PoolStatus status = StatusReader.compose(own(4), Optional.empty(), Optional.empty());

        assertThat(status.runningCount()).isEqualTo(1);
        assertThat(status.ecsObservedAt()).isNull();
        assertThat(status.queue()).isEqualTo(new PoolStatus.Queue(3, 1, 0, null));
        assertThat(status.deadLetter()).isNull();
    }
}
