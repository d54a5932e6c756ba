package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Deployment;

/** Which of a service's deployments DescribeServices names PRIMARY: the one whose tasks are not told to drain. */
class PrimaryDeploymentTest {

    private static Deployment deployment(String id, String status) {
        return Deployment.builder().id(id).status(status).taskDefinition("arn:aws:ecs:eu-west-1:123456789012:task-definition/w:1")
                .build();
    }

    @Test
    void theDeploymentMarkedPrimaryWhereverItIsListed() {
        assertThat(EcsGateway.primaryDeployment(List.of(deployment("ecs-svc/1", "ACTIVE"), deployment("ecs-svc/2", "PRIMARY"))))
                .isEqualTo("ecs-svc/2");
        assertThat(EcsGateway.primaryDeployment(List.of(deployment("ecs-svc/2", "PRIMARY"), deployment("ecs-svc/1", "ACTIVE"))))
                .isEqualTo("ecs-svc/2");
    }

    @Test
    void noneWithoutDeploymentsOrWithoutAPrimaryOne() {
        assertThat(EcsGateway.primaryDeployment(List.of())).isNull();
        assertThat(EcsGateway.primaryDeployment(null)).isNull();
        assertThat(EcsGateway.primaryDeployment(List.of(deployment("ecs-svc/1", "ACTIVE")))).isNull();
    }
}
