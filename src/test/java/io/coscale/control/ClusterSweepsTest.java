package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.config.EcsConfig.TakeoverBy;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The choice of the protection take-over's reads for the pools due in a cluster: one sweep of the cluster (a ListTasks
 * and a DescribeTasks per 100 of its tasks) when that costs fewer task reads than a ListTasks per due service (one per
 * 100 of its tasks, at least one), else per service; a tie goes to the services (no DescribeTasks to parse).
 */
class ClusterSweepsTest {

    @ParameterizedTest(name = "{0} tasks in the cluster, {1} due services of {2} tasks each: by cluster {3}")
    @CsvSource({
            // the take-over after a start-up: 100 pools of 10 tasks in a cluster of 1,000 (20 reads against 100)
            "1000, 100, 10, true",
            // a pool added or changed through the API, and two
            "1000,   1, 10, false",
            "1000,   2, 10, false",
            // the break-even at 1,000 tasks: 20 reads either way, then the cluster is cheaper
            "1000,  20, 10, false",
            "1000,  21, 10, true",
            // a cluster of the due pools alone: a tie at 2 goes to the services
            "20,     2, 10, false",
            "30,     3, 10, true",
            // one large service: its pages against the cluster's pages and DescribeTasks
            "250,    1, 250, false",
            // pools with no tasks yet: a sweep of an empty cluster is one ListTasks
            "0,      3, 0, true",
            "0,      1, 0, false",
    })
    void picksTheReadsThatCostLess(int clusterTasks, int dueServices, int tasksEach, boolean byCluster) {
        List<Integer> due = Collections.nCopies(dueServices, tasksEach);
        assertThat(ClusterSweeps.byCluster(TakeoverBy.AUTO, clusterTasks, due)).isEqualTo(byCluster);
    }

    @ParameterizedTest(name = "forced {0}")
    @CsvSource({"CLUSTER, true", "SERVICE, false"})
    void aForcedChoiceIsKeptWhateverItCosts(TakeoverBy by, boolean byCluster) {
        assertThat(ClusterSweeps.byCluster(by, 100_000, List.of(1))).isEqualTo(byCluster);
        assertThat(ClusterSweeps.byCluster(by, 0, Collections.nCopies(1_000, 0))).isEqualTo(byCluster);
    }
}
