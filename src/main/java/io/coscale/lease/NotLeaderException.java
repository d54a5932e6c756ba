package io.coscale.lease;

import java.util.Optional;

/** This replica may not write now: it does not hold the lease, or too little of it is left. */
public class NotLeaderException extends RuntimeException {

    private final String leaderAddress;

    public NotLeaderException(String message, Optional<String> leaderAddress) {
        super(message);
        this.leaderAddress = leaderAddress.orElse(null);
    }

    /** The URL of the replica that leads, if this one knows it (it may be this replica itself, its lease about to end). */
    public Optional<String> leaderAddress() {
        return Optional.ofNullable(leaderAddress);
    }
}
