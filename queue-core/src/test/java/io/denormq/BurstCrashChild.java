package io.denormq;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * The child process of {@link HandedOverReleasesCrashTest}: {@code DIR FIRST LOG} commits numbered
 * one-message transactions back to back (a few microseconds apart, so that their outcomes are handed
 * to the release writer) until killed. Committed numbers are logged in blocks of
 * {@value #LOG_EVERY}, each written once every commit in it returned: a block lost in the buffer at
 * the kill only makes the test check fewer numbers, never a number whose commit did not return.
 */
public final class BurstCrashChild {
    static final int LOG_EVERY = 256;
    private static final long PACE_NANOS = 3_000;

    private BurstCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long next = Long.parseLong(args[1]);
        DenormQueue queue = DenormQueue.builder(dir).handler("h", message -> { }).build();
        try (OutputStream log = new BufferedOutputStream(new FileOutputStream(args[2], true), 1 << 16)) {
            // a kill -9 in the middle of the last run's write may have left a line cut short: end it, so that the
            // reader of the log sees it as a line of its own without its terminating '.', and skips it
            log.write('\n');
            log.flush();
            System.out.println("READY");
            System.out.flush();
            StringBuilder block = new StringBuilder();
            while (true) {
                long started = System.nanoTime();
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    queue.publish("burst", "k" + (next % 16), Long.toString(next).getBytes(StandardCharsets.US_ASCII));
                    tx.commit(() -> { });
                }
                block.append("C ").append(next++).append(".\n");
                if (next % LOG_EVERY == 0) {
                    log.write(block.toString().getBytes(StandardCharsets.US_ASCII));
                    log.flush();
                    block.setLength(0);
                }
                while (System.nanoTime() - started < PACE_NANOS) {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
