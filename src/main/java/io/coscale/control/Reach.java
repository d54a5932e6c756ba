package io.coscale.control;

import io.coscale.aws.AwsCallException;

/**
 * Whether one AWS service answered during one reconcile pass: of the calls asked of it, how many got an answer.
 * A refusal is an answer: a missing cluster or a deleted queue is that pool's problem, and the service that said
 * so is reachable. A throttle is an answer too. No answer means a connection failure, a timeout or a 5xx, after
 * the retries. The service is unreachable only when every call asked of it got no answer, so one bad pool never
 * makes ECS or SQS look down.
 */
public record Reach(int asked, int answered) {

    /** Nothing asked yet: reachable, since nothing says otherwise. */
    public static final Reach NOTHING_ASKED = new Reach(0, 0);

    /** This reach with one more call, which succeeded. */
    Reach succeeded() {
        return new Reach(asked + 1, answered + 1);
    }

    /** This reach with one more call, which failed with {@code failure}. */
    Reach failed(RuntimeException failure) {
        return new Reach(asked + 1, answered + (isAnswer(failure) ? 1 : 0));
    }

    /** False only when calls were asked and none got an answer. */
    public boolean reachable() {
        return asked == 0 || answered > 0;
    }

    /** Whether a failed call still heard from the service: a refusal or a throttle, not silence or a 5xx. */
    static boolean isAnswer(RuntimeException failure) {
        if (failure instanceof AwsCallException aws) {
            return aws.isThrottled() || !aws.isTransient();
        }
        // Not a failure to reach AWS (a bug, or an answer coscale could not use): not silence either.
        return true;
    }
}
