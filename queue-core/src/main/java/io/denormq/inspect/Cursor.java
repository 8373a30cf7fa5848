package io.denormq.inspect;

import java.util.Objects;

/**
 * A handler partition's durable cursor, as the journal's checkpoint file holds it: the handler
 * (partition) has processed every message up to and including {@link #sequence()}.
 *
 * @param handler        the handler's name
 * @param partition      the partition, {@code 0 .. partitionCount - 1}
 * @param partitionCount how many partitions the handler had when the cursor was written
 * @param sequence       the sequence of the last message processed, -1 if it processed none
 */
public record Cursor(String handler, int partition, int partitionCount, long sequence) {
    /** The sequence of a cursor that has processed nothing. */
    public static final long NONE = -1L;

    /**
     * @param handler        the handler's name
     * @param partition      the partition
     * @param partitionCount the partition count
     * @param sequence       the last sequence processed, or {@link #NONE}
     */
    public Cursor {
        Objects.requireNonNull(handler, "handler");
    }
}
