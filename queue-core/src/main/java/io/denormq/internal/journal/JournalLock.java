package io.denormq.internal.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import io.denormq.JournalException;
import io.denormq.JournalLockedException;

/**
 * Gives one queue sole ownership of a journal directory, across processes, with an operating-system
 * file lock on {@value #FILE_NAME}. The lock file records the holder's process id so that a second
 * opener can say who holds it. The operating system releases the lock when the holder dies, even by
 * {@code kill -9}.
 */
public final class JournalLock implements AutoCloseable {
    /** The lock file's name inside the journal directory. */
    public static final String FILE_NAME = "denormq.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private JournalLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks the journal directory.
     *
     * @param directory the journal directory
     * @return the held lock
     * @throws JournalLockedException if another queue holds it
     */
    public static JournalLock acquire(Path directory) {
        Path file = directory.resolve(FILE_NAME);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new JournalException("Cannot open lock file " + file + ": " + e, e);
        }
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                throw new JournalLockedException("Journal directory " + directory + " is already open by another queue "
                        + "in this process (pid " + ProcessHandle.current().pid() + "). A journal directory can be "
                        + "used by one queue at a time: close the other queue first, or give this one its own directory");
            }
            if (lock == null) {
                throw new JournalLockedException("Journal directory " + directory + " is locked by another process ("
                        + describeHolder(file) + "). A journal directory can be used by one queue at a time: stop "
                        + "that process, or give this queue its own directory");
            }
            JournalDirectory.restrictToOwner(file);
            writeHolder(channel);
            return new JournalLock(file, channel, lock);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new JournalException("Cannot lock journal directory " + directory + " via " + file + ": " + e, e);
        }
    }

    private static void writeHolder(FileChannel channel) throws IOException {
        byte[] content = new Holder(ProcessHandle.current().pid(), Instant.now()).fileContent()
                .getBytes(StandardCharsets.UTF_8);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(content), 0);
    }

    private static String describeHolder(Path file) {
        try {
            return readHolder(file).map(Holder::toString).orElse("process id unknown");
        } catch (IOException e) {
            return "process id unknown: " + e.getMessage();
        }
    }

    /**
     * Reads who holds (or last held) a journal's lock without taking it: taking it, even briefly,
     * could make a queue that is starting fail.
     *
     * @param directory the journal directory
     * @return the holder written in the lock file; empty if there is none (a clean close empties it)
     * @throws IOException if the lock file exists but cannot be read
     */
    public static Optional<Holder> holder(Path directory) throws IOException {
        return readHolder(directory.resolve(FILE_NAME));
    }

    private static Optional<Holder> readHolder(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Holder.parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * The lock file's content, {@code pid=<pid>\nsince=<ISO-8601 instant>\n}: the one place that
     * writes and parses it.
     *
     * @param pid   the holding process
     * @param since when it took the lock
     */
    public record Holder(long pid, Instant since) {
        private static final String PID = "pid=";
        private static final String SINCE = "since=";

        String fileContent() {
            return PID + pid + "\n" + SINCE + since + "\n";
        }

        /** @return the holder a lock file names, or empty if its content is not a holder (empty, partial) */
        static Optional<Holder> parse(String content) {
            long pid = -1;
            Instant since = null;
            for (String line : content.split("\n")) {
                try {
                    if (line.startsWith(PID)) {
                        pid = Long.parseLong(line.substring(PID.length()).trim());
                    } else if (line.startsWith(SINCE)) {
                        since = Instant.parse(line.substring(SINCE.length()).trim());
                    }
                } catch (NumberFormatException | DateTimeParseException e) {
                    return Optional.empty();
                }
            }
            return pid < 0 || since == null ? Optional.empty() : Optional.of(new Holder(pid, since));
        }

        /** @return whether the holding process is still running */
        public boolean isAlive() {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        @Override
        public String toString() {
            return PID + pid + " " + SINCE + since;
        }
    }

    private static void closeQuietly(FileChannel channel, Exception cause) {
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /** @return the lock file */
    public Path file() {
        return file;
    }

    /** Releases the lock. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                channel.truncate(0); // an empty lock file tells inspection tools that nobody holds it
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            throw new JournalException("Cannot release lock file " + file + ": " + e, e);
        }
    }
}
