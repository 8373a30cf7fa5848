package io.denormq.kafka;

/**
 * A {@link KafkaBridge}'s counters since it was built, as seen when {@link KafkaBridge#stats()} was
 * called. The bridge's lag (released messages not yet acknowledged by the broker) is the queue's:
 * see {@link io.denormq.DenormQueue#stats()} under the bridge's handler name.
 *
 * @param acknowledged    records the broker acknowledged and the bridge released to the queue's cursor
 * @param resent          records sent again after a failed send (each one a possible duplicate in Kafka)
 * @param failedRounds    failed sends that made the bridge back off and re-send
 * @param notForwarded    messages whose denormq topic maps to no Kafka topic
 * @param inFlightRecords records sent and not yet acknowledged
 * @param inFlightBytes   their size, roughly
 */
public record KafkaBridgeStats(long acknowledged, long resent, long failedRounds, long notForwarded,
                               int inFlightRecords, long inFlightBytes) {
}
