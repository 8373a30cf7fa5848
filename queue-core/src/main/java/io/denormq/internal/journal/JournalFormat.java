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
 * {@code denormq-journal-format=<version>}, naming the version of the record layout
 * ({@link JournalRecordDescriptor#FORMAT_VERSION}, also written into every record) the journal was
 * written with, so that a denormq version that cannot read it refuses to start instead of
 * misreading it. The checkpoint file carries its own version in its header
 * ({@link CheckpointDescriptor#FORMAT_VERSION}), checked whenever it is opened.
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
                    + "or restore " + FILE_NAME + " containing '" + PREFIX + JournalRecordDescriptor.FORMAT_VERSION + "'");
        }
        if (!create) {
            throw new JournalException("Directory " + directory + " is not a denormq journal: " + file + " is missing");
        }
        try {
            Path temp = directory.resolve(FILE_NAME + ".tmp");
            Files.writeString(temp, PREFIX + JournalRecordDescriptor.FORMAT_VERSION + "\n", StandardCharsets.UTF_8);
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
        return JournalRecordDescriptor.FORMAT_VERSION;
    }

    private static void check(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new JournalException("Cannot read journal format marker " + file + ": " + e, e);
        }
        String expected = PREFIX + JournalRecordDescriptor.FORMAT_VERSION;
        if (!content.equals(expected)) {
            throw new IncompatibleJournalException("Journal " + file.getParent() + " has format '" + content
                    + "' but this denormq version reads '" + expected + "' only. Open it with the denormq version "
                    + "that wrote it, or point the queue at another directory");
        }
    }

    private static boolean containsQueueFiles(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".cq4"));
        } catch (IOException e) {
            throw new JournalException("Cannot list journal directory " + directory + ": " + e, e);
        }
    }
}
