package io.denormq.internal.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import io.denormq.IncompatibleJournalException;
import io.denormq.JournalException;

/**
 * The format marker of a journal directory, {@value #FILE_NAME}: one line,
 * {@code denormq-journal-format=<version>}, naming the newest record layout
 * ({@link JournalRecordDescriptor}, whose version is also written into every record) the journal may
 * hold, so that a denormq version that cannot read it refuses to start instead of misreading it.
 *
 * <p>A new journal is marked version 1 ({@link JournalRecordDescriptor#VERSION_PLAIN}), which
 * denormq versions before message headers read too; it is raised to version 2
 * ({@link #allowHeaders}) just before the first message with headers is journaled, and from then on
 * older denormq versions refuse it. It is raised to version 3 ({@link #allowReleases}) before the
 * first RELEASES record, the outcomes of transactions that completed back to back. This version
 * opens journals marked 1 to 3 and refuses any other mark. The checkpoint file carries its own
 * version in its header ({@link CheckpointDescriptor#FORMAT_VERSION}), checked whenever it is opened.
 */
public final class JournalFormat {
    /** The marker file's name inside the journal directory. */
    public static final String FILE_NAME = "denormq.format";
    private static final String PREFIX = "denormq-journal-format=";

    private JournalFormat() {
    }

    /**
     * Checks the marker of an existing journal, or writes it into a new one.
     *
     * @param directory the (locked) journal directory
     * @param create    whether a missing marker may be written (false for read-only access)
     * @throws IncompatibleJournalException if the journal has another format, or is not a denormq journal
     */
    public static void checkOrCreate(Path directory, boolean create) {
        Path file = directory.resolve(FILE_NAME);
        if (Files.exists(file)) {
            check(file);
            return;
        }
        if (containsQueueFiles(directory)) {
            throw new IncompatibleJournalException("Directory " + directory + " holds Chronicle Queue files but no "
                    + FILE_NAME + ": it is not a denormq journal (or its marker was deleted). Use an empty directory, "
                    + "or restore " + FILE_NAME + " containing '" + PREFIX + JournalRecordDescriptor.FORMAT_VERSION + "' "
                    + "(or '" + PREFIX + JournalRecordDescriptor.VERSION_PLAIN + "' if no message was published with "
                    + "headers)");
        }
        if (!create) {
            throw new JournalException("Directory " + directory + " is not a denormq journal: " + file + " is missing");
        }
        write(directory, JournalRecordDescriptor.VERSION_PLAIN);
    }

    /**
     * Raises the marker to {@link JournalRecordDescriptor#VERSION_HEADERS} unless it says so already:
     * called before the first record with message headers is appended, so that the marker, made
     * durable first, never claims less than the journal holds. Once raised it stays raised.
     *
     * @param directory the (locked) journal directory, whose marker exists
     * @throws JournalException if the marker cannot be read or written
     */
    public static void allowHeaders(Path directory) {
        raiseTo(directory, JournalRecordDescriptor.VERSION_HEADERS);
    }

    /**
     * Raises the marker to {@link JournalRecordDescriptor#VERSION_RELEASES} unless it says so
     * already: called before the first RELEASES record is appended, for the same reason as
     * {@link #allowHeaders}.
     *
     * @param directory the (locked) journal directory, whose marker exists
     * @throws JournalException if the marker cannot be read or written
     */
    public static void allowReleases(Path directory) {
        raiseTo(directory, JournalRecordDescriptor.VERSION_RELEASES);
    }

    private static void raiseTo(Path directory, int version) {
        if (markedVersion(directory.resolve(FILE_NAME)) < version) {
            write(directory, version);
        }
    }

    private static void write(Path directory, int version) {
        Path file = directory.resolve(FILE_NAME);
        try {
            Path temp = directory.resolve(FILE_NAME + ".tmp");
            Files.writeString(temp, PREFIX + version + "\n", StandardCharsets.UTF_8);
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(temp,
                    java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true); // a marker that a power cut could leave empty would refuse the next start
            }
            JournalDirectory.restrictToOwner(temp);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            Journal.forceDirectory(directory);
        } catch (IOException e) {
            throw new JournalException("Cannot write journal format marker " + file + ": " + e, e);
        }
    }

    /**
     * Checks the marker of an existing journal and returns the version it names.
     *
     * @param directory a journal directory
     * @return the format version of its records
     * @throws IncompatibleJournalException if the journal has another format, or is not a denormq journal
     */
    public static int version(Path directory) {
        checkOrCreate(directory, false);
        return markedVersion(directory.resolve(FILE_NAME));
    }

    private static void check(Path file) {
        markedVersion(file);
    }

    private static int markedVersion(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new JournalException("Cannot read journal format marker " + file + ": " + e, e);
        }
        for (int version = JournalRecordDescriptor.VERSION_PLAIN; version <= JournalRecordDescriptor.FORMAT_VERSION;
             version++) {
            if (content.equals(PREFIX + version)) {
                return version;
            }
        }
        throw new IncompatibleJournalException("Journal " + file.getParent() + " has format '" + content
                + "' but this denormq version reads '" + PREFIX + JournalRecordDescriptor.VERSION_PLAIN + "' to '"
                + PREFIX + JournalRecordDescriptor.FORMAT_VERSION + "' only. Open it with the denormq version "
                + "that wrote it, or point the queue at another directory");
    }

    private static boolean containsQueueFiles(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".cq4"));
        } catch (IOException e) {
            throw new JournalException("Cannot list journal directory " + directory + ": " + e, e);
        }
    }
}
