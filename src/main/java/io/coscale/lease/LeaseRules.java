package io.coscale.lease;

import io.coscale.lease.LeaseState.Attempt;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * When a replica may write the lease, and when it leads. Pure: no I/O and no clock; every time is passed in, read
 * from the replica's own monotonic clock. Wall clocks are never compared between replicas, so clock skew does not
 * matter; only the rates of the clocks do (they must agree to within {@code margin} over {@code duration}).
 *
 * <p>The rules, with D = duration and m = margin:
 * <ul>
 *   <li>No item: write the first one (epoch 1, version 1), on the condition that none exists.</li>
 *   <li>The holder renews by a write conditional on the version it last wrote (epoch unchanged, version + 1). It
 *       leads until (the start of its last successful write) + D − m, by its own clock, and no longer, even if it
 *       never hears of a takeover.</li>
 *   <li>A follower remembers when it first saw the current version. Once that version has stood for D + m by its
 *       own clock, it takes over with a write conditional on that version (holder itself, epoch + 1, version + 1).</li>
 *   <li>A refused write means another replica wrote: not leader; read again before the next write.</li>
 *   <li>A write whose outcome is unknown gives nothing: the holder keeps only what its last known write gave. A
 *       later read that finds exactly that write's item credits it from the time the write (first) started.</li>
 *   <li>A holder that shuts down resigns: it stops leading at once, waits m (a write it checked just before may
 *       still go out in that time), then writes its item released (version + 1). A follower that reads a released
 *       item takes over at once, with epoch + 1, instead of waiting D + m.</li>
 * </ul>
 *
 * <p><b>Invariant</b>: two replicas never lead at the same time. Say A leads at some instant under version v,
 * from its write W that started at s. Any other write replaces v only by expecting v, so a takeover by B that
 * ends A's lead expects v. B first saw v after W landed, hence after s, and writes no earlier than D + m later by
 * its clock; A stopped leading at s + D − m by its clock. The 2m between them absorbs clock rates that drift apart;
 * the absolute readings of the two clocks never meet. {@link #mayWrite} asks for m of lease left besides, for the
 * time between the check and the write it guards. A release keeps the invariant: its writer stopped leading at least
 * m before it started the write, and every write it had checked was out by then.
 */
final class LeaseRules {

    /** What a write is for. */
    public enum Kind {
        /** The first item of this name. */
        ACQUIRE,
        /** The holder extends its lease. */
        RENEW,
        /** A follower replaces a holder whose lease ran out or was released. */
        TAKEOVER,
        /** The holder gives the lease up on its way out. */
        RELEASE
    }

    /** A conditional write to send: put {@code item} if the stored version is {@code expectedVersion}. */
    public record Write(Kind kind, LeaseItem item, long expectedVersion) {
    }

    private final String name;
    private final String self;
    private final String address;
    private final long duration;
    private final long margin;

    /**
     * Rules for replica {@code self}, reachable at {@code address}, holding lease {@code name}.
     *
     * @throws IllegalArgumentException {@code margin} is negative or not below half of {@code duration}
     */
    public LeaseRules(String name, String self, String address, Duration duration, Duration margin) {
        this.name = Objects.requireNonNull(name, "name");
        this.self = Objects.requireNonNull(self, "self");
        this.address = Objects.requireNonNull(address, "address");
        this.duration = duration.toNanos();
        this.margin = margin.toNanos();
        if (this.margin < 0 || 2 * this.margin >= this.duration) {
            throw new IllegalArgumentException("the lease margin (" + margin + ") must be at least 0 and less than "
                    + "half of its duration (" + duration + ")");
        }
    }

    /** How long a check before a write guards it; also how long a resigning holder waits before it releases. */
    public Duration duration() {
        return Duration.ofNanos(duration);
    }

    public Duration margin() {
        return Duration.ofNanos(margin);
    }

    /** The lease's key. */
    public String name() {
        return name;
    }

    /** This replica's id. */
    public String self() {
        return self;
    }

    /** Whether to read the item before {@link #next}: always, except for a holder sure of what it wrote. */
    public boolean shouldRead(LeaseState state) {
        return state.mustRead() || !state.holding();
    }

    /** The write this replica should send now, if any; none until it has read (see {@link LeaseState#mustRead}). */
    public Optional<Write> next(LeaseState state, long now) {
        if (state.mustRead()) {
            return Optional.empty();
        }
        if (state.item().isEmpty()) {
            return Optional.of(new Write(Kind.ACQUIRE, new LeaseItem(name, self, address, 1, 1), LeaseStore.ABSENT));
        }
        LeaseItem item = state.item().get();
        if (state.holding()) {
            return Optional.of(new Write(Kind.RENEW,
                    new LeaseItem(name, self, address, item.epoch(), item.version() + 1), item.version()));
        }
        if (expired(state, now)) {
            return Optional.of(new Write(Kind.TAKEOVER,
                    new LeaseItem(name, self, address, item.epoch() + 1, item.version() + 1), item.version()));
        }
        return Optional.empty();
    }

    /**
     * The holder stops leading at {@code now}: {@link #leads} and {@link #mayWrite} say no from here on, while it
     * still knows its item, to {@link #release} it a margin later. Not holding: nothing changes.
     */
    public LeaseState resign(LeaseState state, long now) {
        if (!state.holding() || state.leadUntil() - now <= 0) {
            return state;
        }
        return new LeaseState(state.item(), state.seenAt(), true, now, state.mustRead(), state.attempt());
    }

    /**
     * The write that gives the lease up: the holder's item, released, if this replica holds it and no longer leads
     * (see {@link #resign}); none otherwise. A holder still leading must resign and wait a margin first.
     */
    public Optional<Write> release(LeaseState state, long now) {
        if (!state.holding() || state.mustRead() || state.item().isEmpty() || state.leadUntil() - now > -margin) {
            return Optional.empty();
        }
        LeaseItem item = state.item().get();
        return Optional.of(new Write(Kind.RELEASE, new LeaseItem(item.name(), item.holder(), item.address(),
                item.epoch(), item.version() + 1, true), item.version()));
    }

    /** After a read at {@code now} found {@code stored} (empty: no item). */
    public LeaseState read(LeaseState state, Optional<LeaseItem> stored, long now) {
        Optional<Attempt> attempt = state.attempt();
        if (attempt.isPresent() && stored.equals(Optional.of(attempt.get().item()))) {
            return holding(attempt.get().item(), attempt.get().startedAt());
        }
        // An attempt can still land while the stored version is below its own; past that it never will.
        Optional<Attempt> pending = attempt.filter(a -> stored.map(LeaseItem::version).orElse(0L) < a.item().version());
        if (state.holding() && stored.equals(state.item())) {
            return new LeaseState(stored, state.seenAt(), true, state.leadUntil(), false, pending);
        }
        // Another replica's item, or one of ours this replica cannot vouch for (say, a previous run with the same
        // id): its lease counts from now, when it is first seen, unless it was seen before.
        long seenAt = !state.holding() && stored.equals(state.item()) ? state.seenAt() : now;
        return new LeaseState(stored, seenAt, false, 0, false, pending);
    }

    /**
     * After {@code write}, started at {@code startedAt}, succeeded. It counts from its own start even if an earlier
     * try of the same item is unaccounted for: had that one landed, the version would have moved and this write
     * would have been refused; and once this one landed, that one never can.
     */
    public LeaseState written(LeaseState state, Write write, long startedAt) {
        if (write.kind() == Kind.RELEASE) {
            return new LeaseState(Optional.of(write.item()), startedAt, false, 0, false, Optional.empty());
        }
        return holding(write.item(), startedAt);
    }

    /** After {@code write} was refused: another replica wrote first (or an earlier try of this very write did). */
    public LeaseState refused(LeaseState state, Write write, long startedAt) {
        return new LeaseState(state.item(), state.seenAt(), false, 0, true,
                Optional.of(new Attempt(write.item(), firstStart(state, write, startedAt))));
    }

    /** After {@code write}'s outcome stayed unknown: a holder keeps what its last known write gave, no more. */
    public LeaseState unknown(LeaseState state, Write write, long startedAt) {
        return new LeaseState(state.item(), state.seenAt(), state.holding(), state.leadUntil(), true,
                Optional.of(new Attempt(write.item(), firstStart(state, write, startedAt))));
    }

    /** Whether this replica leads at {@code now}. */
    public boolean leads(LeaseState state, long now) {
        return state.holding() && state.leadUntil() - now > 0;
    }

    /** Whether this replica leads at {@code now} with at least {@code margin} of its lease left. */
    public boolean mayWrite(LeaseState state, long now) {
        return state.holding() && state.leadUntil() - now >= margin;
    }

    /** The item of the replica that leads as far as this one can tell at {@code now}: empty if none or unknown. */
    public Optional<LeaseItem> leader(LeaseState state, long now) {
        if (state.holding()) {
            return leads(state, now) ? state.item() : Optional.empty();
        }
        return expired(state, now) ? Optional.empty() : state.item();
    }

    /**
     * A follower's view: the item it knows was released, or has stood unchanged for duration + margin since it first
     * saw it.
     */
    private boolean expired(LeaseState state, long now) {
        return state.item().isEmpty() || state.item().get().released() || now - state.seenAt() >= duration + margin;
    }

    private LeaseState holding(LeaseItem item, long startedAt) {
        return new LeaseState(Optional.of(item), startedAt, true, startedAt + duration - margin, false, Optional.empty());
    }

    // A read that shows an item cannot tell which of its tries landed: only the first start is safe to credit.
    private static long firstStart(LeaseState state, Write write, long startedAt) {
        return state.attempt().filter(a -> a.item().equals(write.item()))
                .map(a -> a.startedAt() - startedAt < 0 ? a.startedAt() : startedAt)
                .orElse(startedAt);
    }
}
