package io.coscale.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageGroupsTest {

    private final MessageGroups groups = new MessageGroups();

    @Test
    void oneGroupWithManyJobsNeedsOneTask() {
        for (int i = 0; i < 50; i++) {
            groups.accepted("tenant-a");
        }
        assertThat(groups.limit(50)).isEqualTo(1);
        groups.accepted("tenant-b");
        assertThat(groups.limit(51)).isEqualTo(2);
    }

    @Test
    void groupsNeverRaiseTheCountAboveTheJobs() {
        groups.accepted("a");
        groups.accepted("b");
        groups.accepted("c");
        assertThat(groups.limit(2)).isEqualTo(2);
    }

    @Test
    void unknownGroupsDoNotLimit() {
        assertThat(groups.limit(7)).as("jobs sent by others: groups unknown").isEqualTo(7);
        groups.accepted("a");
        groups.clear();
        assertThat(groups.limit(7)).isEqualTo(7);
    }

    @Test
    void tooManyGroupsToTrackDoNotLimitUntilTheQueueEmpties() {
        for (int i = 0; i <= MessageGroups.TRACKED; i++) {
            groups.accepted("g" + i);
        }
        assertThat(groups.limit(500_000)).isEqualTo(500_000);
        groups.clear();
        groups.accepted("only");
        assertThat(groups.limit(10)).isEqualTo(1);
    }
}
