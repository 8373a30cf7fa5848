package io.denormq.internal.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import io.denormq.JournalException;

/**
 * A journal's identity, {@value #FILE_NAME}: a random UUID written into the journal directory the
 * first time a queue starts on it, and never changed afterwards. It names the journal wherever its
 * message ids and sequences leave the process (they are unique within one journal only): a
 * consumer of records forwarded by several queues tells their writers apart by it. It moves with the
 * directory, so it stays the same across restarts, host names and container rescheduling; a copy
 * of the directory is the same journal.
 */
public final class JournalIdentity {
    /** The identity file's name inside the journal directory. */
    public static final String FILE_NAME = "denormq.id";

    private JournalIdentity() {
    }

    /**
     * Reads the journal's identity, writing a new one (durably: file, then directory entry) if it has none.
     *
     * @param directory the locked journal directory
     * @return the identity, a UUID in its canonical text form
     * @throws JournalException if the file cannot be read or written, or does not hold a UUID
     */
    public static String readOrCreate(Path directory) {
        Path file = directory.resolve(FILE_NAME);
        if (Files.exists(file)) {
            return readFile(file);
        }
        String id = UUID.randomUUID().toString();
        try {
            Path temp = directory.resolve(FILE_NAME + ".tmp");
            Files.writeString(temp, id + "\n", StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true); // an identity a power cut could leave empty would refuse the next start
            }
            JournalDirectory.restrictToOwner(temp);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            Journal.forceDirectory(directory);
        } catch (IOException e) {
            throw new JournalException("Cannot write the journal's identity " + file + ": " + e, e);
        }
        return id;
    }

    /**
     * @param directory a journal directory
     * @return its identity
     * @throws JournalException if it has none (no queue has started on it with this denormq version) or it is damaged
     */
    public static String read(Path directory) {
        return readFile(directory.resolve(FILE_NAME));
    }

    private static String readFile(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new JournalException("Cannot read the journal's identity " + file + ": " + e, e);
        }
        try {
            return UUID.fromString(content).toString();
        } catch (IllegalArgumentException e) {
            throw new JournalException("The journal's identity " + file + " holds '" + content + "', not a UUID. "
                    + "Restore it from a backup; deleting it gives the journal a new identity, under which its "
                    + "records forwarded elsewhere are no longer recognised as re-sends", e);
        }
    }
}
