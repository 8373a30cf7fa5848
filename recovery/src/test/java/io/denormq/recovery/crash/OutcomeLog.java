package io.denormq.recovery.crash;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child's durable record of what its transactions set out to do and how far they got. Each
 * entry is one line, written with one unbuffered {@code write}: once that returns the bytes belong
 * to the operating system, so they survive {@code kill -9} (a pipe to the parent does not reliably).
 * Thread-safe. {@link Outcomes} reads it back. Each entry ends with {@code " ."}, so that one cut
 * short is recognised:
 *
 * <pre>
 * S run                  a child started; it is about to open the queue (recovery)
 * Q run                  the queue is built: recovery is done and dispatch runs
 * B tx messages C|R      a transaction begins; it will publish that many messages, then commit (C)
 *                        or roll back (R). Written before anything is published.
 * A tx                   the transaction's commit returned
 * D run true|false       the drain run saw every released message processed (or gave up)
 * </pre>
 */
final class OutcomeLog implements AutoCloseable {
    /** What ends every entry. */
    static final String END = " .\n";

    private final FileOutputStream out;

    private OutcomeLog(FileOutputStream out) {
        this.out = out;
    }

    /**
     * @param file the log, appended to
     * @return the open log
     * @throws IOException if it cannot be opened
     */
    static OutcomeLog append(Path file) throws IOException {
        return new OutcomeLog(new FileOutputStream(file.toFile(), true));
    }

    /**
     * Records a start. The leading newline ends a line that a kill may have left half written, so
     * that it cannot swallow this one.
     */
    void started(int run) throws IOException {
        write("\nS " + run);
    }

    void queueStarted(int run) throws IOException {
        write("Q " + run);
    }

    void began(long tx, int messages, boolean rollback) throws IOException {
        write("B " + tx + " " + messages + (rollback ? " R" : " C"));
    }

    void acknowledged(long tx) throws IOException {
        write("A " + tx);
    }

    void drained(int run, boolean complete) throws IOException {
        write("D " + run + " " + complete);
    }

    private synchronized void write(String entry) throws IOException {
        out.write((entry + END).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
