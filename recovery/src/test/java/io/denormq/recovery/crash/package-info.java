/**
 * The crash-test harness: a child JVM runs concurrent database transactions that publish to a
 * denormq queue, is killed with {@code kill -9} at random moments and restarted, and the test then
 * counts the outcomes the guarantees forbid (lost, early, rolled back yet delivered) from what the
 * child left in its H2 database and its outcome log.
 */
package io.denormq.recovery.crash;
