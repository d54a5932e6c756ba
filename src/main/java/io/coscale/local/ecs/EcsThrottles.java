package io.coscale.local.ecs;

import io.coscale.concurrent.TokenBucket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ECS's documented request-rate limits per account and Region (burst, sustained per second), one bucket per group of
 * actions as AWS's "Request throttling for the Amazon ECS API" groups them. CreateCluster and RegisterTaskDefinition
 * (20, 1/s) stay unmetered: only set-up calls them, and coscale never does.
 */
final class EcsThrottles {

    private EcsThrottles() {
    }

    /** A fresh bucket per group, by the actions that share it. */
    static Map<String, TokenBucket> perAction() {
        TokenBucket serviceModify = new TokenBucket(50, 5);
        TokenBucket serviceRead = new TokenBucket(100, 20);
        TokenBucket clusterRead = new TokenBucket(50, 20);
        TokenBucket clusterResourceRead = new TokenBucket(100, 20);
        TokenBucket clusterResourceModify = new TokenBucket(100, 40);
        TokenBucket taskProtection = new TokenBucket(200, 80);
        TokenBucket tagModify = new TokenBucket(20, 10);
        TokenBucket tagRead = new TokenBucket(50, 20);
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
