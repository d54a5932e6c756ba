package io.coscale.local.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskField;

/** Tags on tasks: written by TagResource, shown by DescribeTasks (include TAGS) and ListTagsForResource. */
class TagsTest {

    private static final String SERVICE = "svc";

    private EcsEmulatorFixture fx;
    private String task;

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(2, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, 1);
        fx.awaitCounts(SERVICE, 1, 0);
        task = fx.activeTasks(SERVICE).get(0).taskArn();
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void aTagWrittenOnATaskIsShownByDescribeTasksAndListTags() {
        fx.ecs.tagResource(b -> b.resourceArn(task).tags(Tag.builder().key("coscale:exit").value("3").build()));

        assertThat(fx.ecs.describeTasks(b -> b.cluster(EcsEmulatorFixture.CLUSTER).tasks(task).include(TaskField.TAGS))
                .tasks().get(0).tags()).containsExactly(Tag.builder().key("coscale:exit").value("3").build());
        assertThat(fx.ecs.listTagsForResource(b -> b.resourceArn(task)).tags())
                .containsExactly(Tag.builder().key("coscale:exit").value("3").build());

        fx.ecs.untagResource(b -> b.resourceArn(task).tagKeys("coscale:exit"));
        assertThat(fx.ecs.listTagsForResource(b -> b.resourceArn(task)).tags()).isEmpty();
    }

    @Test
    void anUnknownTaskOrAReservedKeyIsRefusedAndChangesNothing() {
        String unknown = task.substring(0, task.lastIndexOf('/') + 1) + "0123456789abcdef0123456789abcdef";
        assertThatThrownBy(() -> fx.ecs.tagResource(b -> b.resourceArn(unknown)
                .tags(Tag.builder().key("k").value("v").build())))
                .isInstanceOf(EcsException.class).hasMessageContaining("could not be found");
        assertThatThrownBy(() -> fx.ecs.tagResource(b -> b.resourceArn(task)
                .tags(Tag.builder().key("aws:mine").value("v").build())))
                .isInstanceOf(EcsException.class);
        assertThat(fx.ecs.listTagsForResource(b -> b.resourceArn(task)).tags()).isEmpty();
    }
}
