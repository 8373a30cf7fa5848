/**
 * Dispatch: the reader thread that tails the journal's release stream into an LMAX Disruptor ring,
 * and one event processor per handler that delivers, retries, dead-letters and acknowledges.
 *
 * <p><b>Internal:</b> these types are public for queue-core's root package only; they are not part
 * of denormq's API and may change in any release.
 */
package io.denormq.internal.dispatch;
