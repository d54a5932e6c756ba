package io.coscale.local.ecs;

import io.coscale.concurrent.TokenBucket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * ECS's documented request-rate limits per account and Region (burst, sustained per second), one bucket per group of
 * actions as AWS's "Request throttling for the Amazon ECS API" groups them. CreateCluster and RegisterTaskDefinition
 * (20, 1/s) stay unmetered: only set-up calls them, and coscale never does.
 */
final class EcsThrottles {

    private EcsThrottles() {
    }

    /** A fresh bucket per group, by the actions that share it, telling time by {@code nanoClock}. */
    static Map<String, TokenBucket> perAction(LongSupplier nanoClock) {
        TokenBucket serviceModify = new TokenBucket(50, 5, nanoClock);
        TokenBucket serviceRead = new TokenBucket(100, 20, nanoClock);
        TokenBucket clusterRead = new TokenBucket(50, 20, nanoClock);
        TokenBucket clusterResourceRead = new TokenBucket(100, 20, nanoClock);
        TokenBucket clusterResourceModify = new TokenBucket(100, 40, nanoClock);
        TokenBucket taskProtection = new TokenBucket(200, 80, nanoClock);
        TokenBucket tagModify = new TokenBucket(20, 10, nanoClock);
        TokenBucket tagRead = new TokenBucket(50, 20, nanoClock);
        Map<String, TokenBucket> throttles = new LinkedHashMap<>();
        throttles.put("CreateService", serviceModify);
        throttles.put("UpdateService", serviceModify);
        throttles.put("DescribeServices", serviceRead);
        throttles.put("ListServices", serviceRead);
        throttles.put("DescribeClusters", clusterRead);
        throttles.put("ListClusters", clusterRead);
        throttles.put("ListTasks", clusterResourceRead);
        throttles.put("DescribeTasks", clusterResourceRead);
        throttles.put("StopTask", clusterResourceModify);
        throttles.put("UpdateTaskProtection", taskProtection);
        throttles.put("GetTaskProtection", taskProtection);
        // coscale's exit record is a TagResource: a mass exit meets this bucket first.
        throttles.put("TagResource", tagModify);
        throttles.put("UntagResource", tagModify);
        throttles.put("ListTagsForResource", tagRead);
        return throttles;
    }
}
