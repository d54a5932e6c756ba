package io.coscale.local.ecs;

/**
 * A service's rolling-update bounds, as ECS's {@code deploymentConfiguration}: while tasks are replaced, at most
 * {@code floor(desired * maximumPercent / 100)} tasks may be active and at least
 * {@code ceil(desired * minimumHealthyPercent / 100)} RUNNING (ECS rounds both that way). Validated as ECS does
 * for a REPLICA service with the ECS deployment controller.
 */
record DeploymentConfiguration(int minimumHealthyPercent, int maximumPercent) {

    static final DeploymentConfiguration DEFAULT = new DeploymentConfiguration(100, 200);

    DeploymentConfiguration {
        if (minimumHealthyPercent < 0 || minimumHealthyPercent > 100) {
            throw EcsApiException.invalidParameter("minimumHealthyPercent must be between 0 and 100.");
        }
        if (maximumPercent < 100 || maximumPercent > 2000) {
            throw EcsApiException.invalidParameter("maximumPercent must be between 100 and 2000.");
        }
    }

    /** This configuration with the given fields replaced; a null field keeps its current value. */
    DeploymentConfiguration with(Integer minimumHealthy, Integer maximum) {
        return new DeploymentConfiguration(minimumHealthy == null ? minimumHealthyPercent : minimumHealthy,
                maximum == null ? maximumPercent : maximum);
    }

    /** Most tasks (PENDING or RUNNING, not told to stop) the service may have while it rolls. */
    int maxTotal(int desired) {
        return (int) ((long) desired * maximumPercent / 100);
    }

    /** Fewest RUNNING tasks a deployment may leave the service with when it stops an old task. */
    int minHealthy(int desired) {
        return (int) (((long) desired * minimumHealthyPercent + 99) / 100);
    }
}
