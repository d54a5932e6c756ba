package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.concurrent.Batcher;

/** How a caller of a pool's step tells the failures that mean "try again later" from a defect. */
public final class StepFailures {

    private StepFailures() {
    }

    /**
     * Whether ECS or SQS could not be asked, or did not answer: nothing changed, and the same call later may succeed.
     * {@code cause} is the failure unwrapped ({@link io.coscale.concurrent.Futures#cause}).
     */
    public static boolean unreachable(Throwable cause) {
        return cause instanceof AwsCallException || cause instanceof Batcher.NoAnswerException;
    }
}
