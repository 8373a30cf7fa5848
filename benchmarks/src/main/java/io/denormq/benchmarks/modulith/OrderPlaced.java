package io.denormq.benchmarks.modulith;

/**
 * The event each transaction of the side-by-side publishes: what a denormalisation message carries
 * (an id, a key and a small payload). The registry stores it as JSON, about as many bytes as the
 * denormq message holds.
 *
 * @param number   unique per transaction; the listener reports it to the {@link DeliveryClock}
 * @param customer the key
 * @param note     filler that makes the payload the size of the denormq message's
 */
public record OrderPlaced(long number, String customer, String note) {
}
