package io.coscale.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Stale ECS reads against coscale's own writes; times in seconds (as nanos), lag 5 s, start at 100 s. */
class CountBeliefTest {

    private static final long S = 1_000_000_000L;
    private final CountBelief belief = new CountBelief(100 * S, 5 * S);

    @Test
    void aReadThatMayPredateCoscalesOwnWriteIsNotBelieved() {
        belief.read(3, 106 * S);
        belief.wrote(4, 110 * S);

        assertThat(belief.read(3, 112 * S)).as("read began 2 s after the write: may be stale").isFalse();
        assertThat(belief.value()).isEqualTo(4);
        assertThat(belief.read(4, 113 * S)).as("a read that agrees is taken").isTrue();
    }

    @Test
    void aReadWellAfterTheWriteIsTheTruthEvenWhenItDiffers() {
        belief.read(3, 106 * S);
        belief.wrote(4, 110 * S);

        assertThat(belief.read(6, 116 * S)).as("somebody else set it, or a failed-looking write landed").isTrue();
        assertThat(belief.value()).isEqualTo(6);
    }

    @Test
    void aCountReadSoonAfterStartUpIsKnownButNotSettledForLowering() {
        assertThat(belief.settled()).isFalse();
        belief.read(5, 101 * S);
        assertThat(belief.value()).isEqualTo(5);
        assertThat(belief.settled()).as("may predate the last coscale's writes").isFalse();
        assertThat(belief.writeLost()).as("unsettled by the start, not by a write of its own").isFalse();

        belief.read(4, 105 * S);
        assertThat(belief.settled()).isTrue();
    }

    @Test
    void coscalesOwnWriteSettlesTheBelief() {
        belief.read(5, 101 * S);
        belief.wrote(6, 102 * S);
        assertThat(belief.settled()).isTrue();
        assertThat(belief.value()).isEqualTo(6);
    }

    @Test
    void theFirstReadIsAlwaysTaken() {
        assertThat(belief.value()).isNull();
        assertThat(belief.read(2, 100 * S)).isTrue();
        assertThat(belief.value()).isEqualTo(2);
    }

    @Test
    void aWriteWhoseAnswerWasLostUnsettlesTheCountUntilAReadTheLagLater() {
        belief.read(2, 106 * S);
        belief.wrote(2, 107 * S);
        belief.writeUnknown(110 * S);

        assertThat(belief.settled()).as("ECS may hold 3 or 2: no exit lowers from either").isFalse();
        assertThat(belief.writeLost()).as("unsettled by that write").isTrue();
        assertThat(belief.read(3, 111 * S)).as("any read is the best guess meanwhile, even one so soon after a write")
                .isTrue();
        assertThat(belief.value()).isEqualTo(3);
        assertThat(belief.settled()).as("began 1 s after the lost write: may predate it").isFalse();
        belief.read(2, 114 * S);
        assertThat(belief.settled()).isFalse();

        belief.read(3, 115 * S);
        assertThat(belief.settled()).as("began the lag after the lost write").isTrue();
        assertThat(belief.value()).isEqualTo(3);
        assertThat(belief.writeLost()).isFalse();
    }

    @Test
    void aConfirmedWriteAfterALostOneSettlesTheCount() {
        belief.read(2, 106 * S);
        belief.writeUnknown(110 * S);
        belief.wrote(4, 111 * S);

        assertThat(belief.settled()).as("an absolute value ECS applied").isTrue();
        assertThat(belief.writeLost()).isFalse();
        assertThat(belief.value()).isEqualTo(4);
        assertThat(belief.read(3, 112 * S)).as("and a read that may predate it does not override it").isFalse();
    }

    @Test
    void aLostWriteUnsettlesEvenABeliefSettledLongAgo() {
        belief.read(5, 120 * S);
        assertThat(belief.settled()).isTrue();

        belief.writeUnknown(200 * S);

        assertThat(belief.settled()).isFalse();
        assertThat(belief.value()).as("the best guess stays").isEqualTo(5);
    }
}
