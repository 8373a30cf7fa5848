package io.denormq.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the journal's old daily cycle files. A cycle file goes only when all of these hold:
 * every cursor in the checkpoint file lies in a later cycle (a retired handler's cursor counts
 * until it is dropped, so that no handler can lose messages to retention); the recovery low-water
 * mark lies in a later cycle (no transaction in it awaits its outcome, and the reader has read it);
 * it is not the cycle being written; and its day ended longer ago than the retention period. A
 * file a tailer or appender still uses is left for the next run.
 */
public final class JournalRetention {
    private static final Logger LOG = LoggerFactory.getLogger(JournalRetention.class);
    private static final long CYCLE_MILLIS = Journal.ROLL_CYCLE.lengthInMillis();

    private JournalRetention() {
    }

    /**
     * @param journal    the journal, open for writing
     * @param checkpoint its checkpoint file
     * @param retention  how long after its day ended a cycle file is kept at least
     * @return the files deleted
     */
    public static List<Path> apply(Journal journal, CheckpointFile checkpoint, Duration retention) {
        long lastIndex = journal.lastIndex();
        if (lastIndex < 0) {
            return List.of();
        }
        int keepFrom = journal.cycleOf(lastIndex);
        String heldBy = "the cycle being written";
        for (CheckpointFile.Entry entry : checkpoint.entries()) {
            int cycle = entry.cursor() == CheckpointDescriptor.NOTHING ? Integer.MIN_VALUE
                    : journal.cycleOf(JournalRecordDescriptor.recordIndexOf(entry.cursor()));
            if (cycle < keepFrom) {
                keepFrom = cycle;
                heldBy = "the cursor of handler '" + entry.handler() + "'";
            }
        }
        long lowWater = checkpoint.recoveryLowWater();
        int lowWaterCycle = lowWater == CheckpointDescriptor.NOTHING ? Integer.MIN_VALUE : journal.cycleOf(lowWater);
        if (lowWaterCycle < keepFrom) {
            keepFrom = lowWaterCycle;
            heldBy = "a transaction awaiting its outcome, or records not yet read";
        }
        long now = journal.currentTimeMillis();
        List<Path> deleted = new ArrayList<>();
        for (Journal.CycleFile file : journal.cycleFiles()) {
            boolean expired = (file.cycle() + 1L) * CYCLE_MILLIS + retention.toMillis() <= now;
            if (file.cycle() >= keepFrom || !expired) {
                if (expired) {
                    LOG.info("Journal {}: cycle file {} is past its retention but kept for {}", journal.directory(),
                            file.path().getFileName(), heldBy);
                }
                break;
            }
            if (journal.deleteCycle(file)) {
                deleted.add(file.path());
                LOG.info("Journal {}: deleted cycle file {} (day {}): every cursor is past it, no transaction in it "
                                + "awaits its outcome, and it is older than the retention of {}", journal.directory(),
                        file.path().getFileName(), LocalDate.ofEpochDay(file.cycle()), retention);
            } else {
                LOG.debug("Journal {}: cycle file {} is still in use; retention tries again later",
                        journal.directory(), file.path().getFileName());
                break;
            }
        }
        return deleted;
    }
}
