package io.coscale.sim;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.ServiceState;
import io.coscale.aws.TaskProtections;
import io.coscale.aws.TaskState;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.QueueDepth;
import io.coscale.domain.SendOutcome;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateways one coscale process calls ECS and SQS through in the simulation: the real gateways' contracts (every
 * failure an {@link AwsCallException}, one attempt per call), each call handed to {@link Simulation#call}, which
 * applies it to the model and decides by the fault plan what the caller is told.
 */
final class SimGateways {

    private SimGateways() {
    }

    static EcsGateway ecs(Simulation sim, Simulation.Proc proc) {
        SimEcs ecs = sim.ecs();
        return new EcsGateway(null) {
            @Override
            public List<ServiceState> describeServices(String cluster, List<String> services) {
                return sim.call(proc, "DescribeServices", false, ecs::describeServices);
            }

            @Override
            public void setDesiredCount(String cluster, String service, int desiredCount) {
                sim.call(proc, "UpdateService", true, () -> {
                    sim.invariants.countWritten(ecs.desired(), desiredCount);
                    ecs.updateService(desiredCount);
                    return null;
                });
            }

            @Override
            public void recordExit(String taskArn, int desiredCount) {
                sim.call(proc, "TagResource", true, () -> {
                    sim.trace("  tag " + taskArn.substring(taskArn.length() - 3) + " = " + desiredCount);
                    SimEcs.Task task = ecs.task(taskArn);
                    String before = task == null ? null : task.exitTag;
                    if (!ecs.tag(taskArn, Integer.toString(desiredCount))) {
                        throw new AwsCallException("TagResource failed: InvalidParameterException: unknown task", false,
                                false, "InvalidParameterException", null);
                    }
                    sim.invariants.exitRecorded(task, before, Integer.toString(desiredCount));
                    sim.exitRecordLanded();
                    return null;
                });
            }

            @Override
            public Map<String, TaskState> describeTasks(String cluster, Collection<String> taskArns) {
                return sim.call(proc, "DescribeTasks", false, () -> ecs.describeTasks(taskArns));
            }

            @Override
            public TaskProtections setProtection(String cluster, List<String> taskArns, boolean enabled, int minutes) {
                return sim.call(proc, "UpdateTaskProtection", true, () -> {
                    Map<String, Optional<Instant>> applied = new HashMap<>();
                    Map<String, String> refused = new HashMap<>();
                    for (String arn : taskArns) {
                        String refusal = ecs.protect(arn, enabled, minutes);
                        if (refusal != null) {
                            refused.put(arn, refusal);
                        } else {
                            applied.put(arn, Optional.ofNullable(enabled ? ecs.task(arn).protectedUntil : null));
                        }
                    }
                    return new TaskProtections(applied, refused);
                });
            }

            @Override
            public TaskPage listTasks(String cluster, String service, String nextToken) {
                // One service in the cluster: its tasks are the cluster's, on one page.
                return new TaskPage(sim.call(proc, "ListTasks", false, ecs::listTasks), null);
            }

            @Override
            public Map<String, Instant> protectedUntil(String cluster, List<String> taskArns) {
                return sim.call(proc, "GetTaskProtection", false, () -> ecs.protectedUntil(taskArns));
            }
        };
    }

    static QueueGateway sqs(Simulation sim, Simulation.Proc proc) {
        SimSqs sqs = sim.sqs();
        return new QueueGateway(null) {
            @Override
            public QueueDepth depth(String queueUrl) {
                return sim.call(proc, "GetQueueAttributes", false, sqs::depth);
            }

            @Override
            public List<SendOutcome> sendBatch(String queueUrl, List<OutgoingMessage> messages) {
                return sim.sendBatch(proc, queueUrl, messages);
            }
        };
    }
}
