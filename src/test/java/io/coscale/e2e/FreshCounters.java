package io.coscale.e2e;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The test profile's settings, in an application of its own for the tests that read what a fresh start shows: the
 * README's tour (the emulator's {@code tasksStoppedWhileBusy} is 0) and the status page (its "stopped in the last hour"
 * is 0). Neither stops a busy task nor has ECS stop one, so they share it; the end-to-end tests that do (a Spot
 * interruption, cooperative mode) run in another.
 */
public class FreshCounters implements QuarkusTestProfile {
}
