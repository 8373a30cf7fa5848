package io.denormq.internal.dispatch;

import java.util.concurrent.TimeUnit;

import io.denormq.internal.journal.Journal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the progress of the reader through the backlog that existed at start (a recovery after a
 * crash, or a handler's rebuild): records done of the total, rate and ETA, every few seconds, and
 * once when it is finished. Each handler has its own reader, which it trails by at most a ring's
 * worth of messages, so the reader's progress is the handler's. Costs one comparison per record once the backlog is read.
 */
final class ReplayProgress {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayProgress.class);
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int CHECK_CLOCK_EVERY_RECORDS = 4095;
    /** Smaller backlogs (the usual start after a clean stop) are read in milliseconds: not worth a log line. */
    private static final long REPORTED_BACKLOG = 10_000;

    private final Journal journal;
    private final String label;
    private final long targetIndex;
    private final long total;
    private final long startNanos;
    private long done;
    private long lastReportNanos;
    private boolean finished;

    /**
     * @param journal     the journal
     * @param label       whose reader (a handler's name)
     * @param startIndex  where the reader starts, -1 for the journal's first record
     * @param targetIndex the journal's last index at start: the end of the backlog
     */
    ReplayProgress(Journal journal, String label, long startIndex, long targetIndex) {
        this.journal = journal;
        this.label = label;
        this.targetIndex = targetIndex;
        this.total = targetIndex < 0 ? 0 : journal.countRecords(startIndex, targetIndex);
        this.startNanos = System.nanoTime();
        this.lastReportNanos = startNanos;
        this.finished = total < REPORTED_BACKLOG;
        if (!finished) {
            LOG.info("Journal {}, {}: replaying a backlog of {} record(s) up to index {}", journal.directory(), label,
                    total, Long.toHexString(targetIndex));
        }
    }

    /** @param index the index of the record just read */
    void onRead(long index) {
        if (finished) {
            return;
        }
        done++;
        if (index >= targetIndex) {
            finished = true;
            long elapsed = Math.max(1, System.nanoTime() - startNanos);
            LOG.info("Journal {}, {}: backlog of {} record(s) read in {} ms ({} records/s)", journal.directory(), label,
                    done, TimeUnit.NANOSECONDS.toMillis(elapsed), done * 1_000_000_000L / elapsed);
            return;
        }
        if ((done & CHECK_CLOCK_EVERY_RECORDS) == 0) {
            long now = System.nanoTime();
            if (now - lastReportNanos >= REPORT_EVERY_NANOS) {
                lastReportNanos = now;
                long elapsed = Math.max(1, now - startNanos);
                long rate = done * 1_000_000_000L / elapsed;
                long remaining = Math.max(0, total - done);
                LOG.info("Journal {}, {}: replay {} of {} records ({}%), {} records/s, ETA {} s", journal.directory(),
                        label, done, total, done * 100 / Math.max(1, total), rate,
                        rate == 0 ? "?" : remaining / Math.max(1, rate));
            }
        }
    }

}
