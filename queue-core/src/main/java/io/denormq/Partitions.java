package io.denormq;

import java.nio.charset.StandardCharsets;

import io.denormq.internal.journal.JournalRecordDescriptor;

/**
 * Which partition of a {@link DenormQueueBuilder#handler(String, int, java.util.function.IntFunction)
 * partitioned handler} a key belongs to: the same answer in every process and on every start, for a
 * given partition count.
 */
public final class Partitions {
    private Partitions() {
    }

    /**
     * @param key        a message key, null allowed (partition 0)
     * @param partitions the partition count
     * @return the partition, {@code 0 .. partitions - 1}
     */
    public static int of(String key, int partitions) {
        if (key == null || partitions == 1) {
            return 0;
        }
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        return JournalRecordDescriptor.partitionOf(JournalRecordDescriptor.keyHash(utf8, 0, utf8.length), partitions);
    }
}
