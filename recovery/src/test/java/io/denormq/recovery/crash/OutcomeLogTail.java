package io.denormq.recovery.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Follows the outcome log from where it ended when the tail was made, so that the test can time
 * a kill by what the child has done rather than by the clock: on a loaded machine a child may
 * need seconds to start, and a kill timed from its launch would often land before it did anything.
 */
final class OutcomeLogTail {
    private static final long POLL_MILLIS = 5;

    private final Path file;
    private final StringBuilder unread = new StringBuilder();
    private long position;

    private OutcomeLogTail(Path file, long position) {
        this.file = file;
        this.position = position;
    }

    /**
     * @param file the outcome log, which need not exist yet
     * @return a tail that sees only what is written from now on
     * @throws IOException if the log's size cannot be read
     */
    static OutcomeLogTail fromEnd(Path file) throws IOException {
        return new OutcomeLogTail(file, Files.exists(file) ? Files.size(file) : 0);
    }

    /**
     * Waits for a complete entry that starts with {@code prefix}.
     *
     * @param prefix the entry's start, such as {@code "A "}
     * @param limit  how long to wait at most; it only bounds a child that is stuck
     * @return whether such an entry was written within the limit
     * @throws IOException          if the log cannot be read
     * @throws InterruptedException if interrupted
     */
    boolean awaitEntry(String prefix, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            readNew();
            for (int end = unread.indexOf("\n"); end >= 0; end = unread.indexOf("\n")) {
                String entry = unread.substring(0, end);
                unread.delete(0, end + 1);
                if (entry.startsWith(prefix) && entry.endsWith(OutcomeLog.END.trim())) {
                    return true;
                }
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private void readNew() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            int read;
            while ((read = channel.read(buffer, position)) > 0) {
                position += read;
                unread.append(new String(buffer.array(), 0, read, StandardCharsets.US_ASCII));
                buffer.clear();
            }
        }
    }
}
