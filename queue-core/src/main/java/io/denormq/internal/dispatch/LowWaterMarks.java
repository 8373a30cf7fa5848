package io.denormq.internal.dispatch;

import java.util.concurrent.atomic.AtomicLongArray;

import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.internal.journal.CheckpointFile;

/**
 * Combines the readers' recovery low-water marks into the checkpoint's: the lowest of them. Each
 * reader's mark only rises, so a minimum computed from values read a moment ago is never above the
 * true one: at worst recovery reads a little more.
 */
final class LowWaterMarks {
    private static final long UNSET = Long.MAX_VALUE;

    private final CheckpointFile checkpoint;
    private final AtomicLongArray marks;

    LowWaterMarks(CheckpointFile checkpoint, int readers) {
        this.checkpoint = checkpoint;
        this.marks = new AtomicLongArray(readers);
        for (int i = 0; i < readers; i++) {
            marks.set(i, UNSET);
        }
    }

    /**
     * @param reader the reader's number
     * @param mark   the journal index of the oldest batch it holds without outcome, else its last read index
     */
    void update(int reader, long mark) {
        marks.set(reader, mark);
        long lowest = UNSET;
        for (int i = 0; i < marks.length(); i++) {
            lowest = Math.min(lowest, marks.get(i));
        }
        if (lowest != UNSET && lowest != CheckpointDescriptor.NOTHING) {
            checkpoint.putRecoveryLowWater(lowest);
        }
    }
}
