package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DeploymentConfiguration;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.ProtectedTask;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * {@code aws ecs update-service --force-new-deployment} on a pool kept warm ({@code minTasks} 2), every task the
 * Python example under coscale-run: the deployment keeps the task definition, yet its old tasks are told to drain
 * (their deployment is no longer the PRIMARY one). With {@code maximumPercent} 100 ECS may start a new task only once
 * an old one is gone, and it stops no protected task: the idle old tasks, protected as warm capacity, must exit on
 * their own (at their next release), and the busy one finishes its job first (its heartbeat claim says drain); ECS
 * replaces them and the deployment completes. Were they not told to drain, it would wait on them for ever.
 *
 * <p>The application is the one the other process workers' tests share ({@link ProcessWorkers}): the test sets its
 * worker, raises the demo pool's {@code minTasks} through the API (pools as data) and puts back both the pool's
 * definition and the service's deployment configuration after, leaving the pool with no task; the emulator's counters
 * are read as what this test added to them.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@WithTestResource(RecordedAwsCalls.class)
@ExtendWith(RecordedAwsCalls.class)
@TestProfile(ProcessWorkers.Profile.class)
class ForcedDeploymentEndToEndTest {

    private static final int MIN_TASKS = 2;
    private static final Duration WAIT = Duration.ofSeconds(90);

    final EcsClient ecs = HarnessClients.ecs();

    @BeforeAll
    static void everyTaskRunsThePythonExampleUnderCoscaleRun() {
        // A heartbeat every 2 s: the claims that say drain reach the busy worker mid-job, and each extends the job's
        // visibility (5 s on the demo queue) to 6 s.
        ProcessWorkers.use(CoscaleRun.ENVIRONMENT + " HEARTBEAT_SECONDS=2 exec " + PythonWorkers.command());
    }

    @Test
    void aForcedDeploymentDrainsIdleProtectedTasksAfterTheBusyOnesJobAndCompletes() {
        DeploymentConfiguration deployments = service().deploymentConfiguration();
        Map<String, Object> definition = Demo.redefine(Map.of("min-tasks", MIN_TASKS));
        try {
            forcedDeployment();
        } finally {
            Demo.define(definition);
            ecs.updateService(b -> b.cluster("local").service("demo").deploymentConfiguration(deployments));
            CoscaleRun.awaitPoolBackToMinTasks();
        }
    }

    private void forcedDeployment() {
        List<String> old = awaitWarmAndProtected();
        String oldDeployment = primary().id();
        JsonPath before = Demo.stats();
        Demo.submit("{\"seconds\": 6}");
        await().atMost(WAIT).until(() -> Demo.stat("jobsReceived") - before.getLong("jobsReceived") == 1);

        ecs.updateService(b -> b.cluster("local").service("demo").forceNewDeployment(true)
                .deploymentConfiguration(c -> c.maximumPercent(100).minimumHealthyPercent(50)));
        Deployment forced = primary();
        assertThat(forced.id()).as("the forced deployment").isNotEqualTo(oldDeployment);
        assertThat(forced.taskDefinition()).as("its task definition: the same").isEqualTo(task(old.get(0)).taskDefinitionArn());

        await().atMost(WAIT).untilAsserted(() -> {
            List<Deployment> deployments = service().deployments();
            assertThat(deployments).as("the service's deployments").hasSize(1);
            assertThat(deployments.get(0).id()).isEqualTo(forced.id());
            assertThat(deployments.get(0).rolloutStateAsString()).isEqualTo("COMPLETED");
        });
        assertThat(old).as("the old tasks").allSatisfy(arn -> assertThat(task(arn).lastStatus()).isEqualTo("STOPPED"));
        List<Task> running = ecs.describeTasks(b -> b.cluster("local").tasks(taskArns())).tasks();
        assertThat(running).as("the tasks now: of the forced deployment, warm").hasSize(MIN_TASKS)
                .allSatisfy(t -> assertThat(t.startedBy()).isEqualTo(forced.id()));
        JsonPath stats = Demo.stats();
        assertThat(CoscaleRun.grown(before, stats, "jobsCompleted")).as("the long job, finished on its old task")
                .isEqualTo(1);
        assertThat(CoscaleRun.grown(before, stats, "jobsReceived")).as("its receives (more: it was given back or run twice)")
                .isEqualTo(1);
        assertThat(CoscaleRun.grown(before, stats, "tasksStoppedWhileBusy")).as("busy tasks stopped").isZero();
        assertThat(CoscaleRun.grown(before, stats, "jobsInterrupted")).as("jobs a stop caught").isZero();
        assertThat(CoscaleRun.grown(before, stats, "workerExitsFailed")).as("workers that exited non-zero").isZero();
        assertThat(Demo.status().getInt("desiredCount")).as("the count, kept through the drain").isEqualTo(MIN_TASKS);
    }

    /** The pool at minTasks, every task running and protected (warm capacity); returns their ARNs. */
    private List<String> awaitWarmAndProtected() {
        await().atMost(WAIT).untilAsserted(() -> {
            List<String> arns = taskArns();
            assertThat(arns).hasSize(MIN_TASKS);
            assertThat(ecs.getTaskProtection(b -> b.cluster("local").tasks(arns)).protectedTasks())
                    .hasSize(MIN_TASKS).allMatch(ProtectedTask::protectionEnabled);
            assertThat(primary().rolloutStateAsString()).isEqualTo("COMPLETED");
        });
        return taskArns();
    }

    private List<String> taskArns() {
        return ecs.listTasks(b -> b.cluster("local").serviceName("demo").desiredStatus(DesiredStatus.RUNNING)).taskArns();
    }

    private Task task(String arn) {
        return ecs.describeTasks(b -> b.cluster("local").tasks(arn)).tasks().get(0);
    }

    private software.amazon.awssdk.services.ecs.model.Service service() {
        return ecs.describeServices(b -> b.cluster("local").services("demo")).services().get(0);
    }

    private Deployment primary() {
        return service().deployments().stream().filter(d -> d.status().equals("PRIMARY")).findFirst().orElseThrow();
    }
}
