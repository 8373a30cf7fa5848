package io.denormq.inspect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.denormq.JournalException;
import io.denormq.internal.journal.JournalFormat;
import io.denormq.internal.journal.JournalLock;

/** What opening a journal directory for inspection or maintenance checks first. */
final class JournalDirectories {
    private JournalDirectories() {
    }

    /** Refuses what is not a denormq journal directory of this format, creating nothing. */
    static void check(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new JournalException(directory + " is not a directory: give the journal directory of a queue");
        }
        JournalFormat.checkOrCreate(directory, false);
    }

    static Optional<LockHolder> lockHolder(Path directory) {
        try {
            return JournalLock.holder(directory).filter(JournalLock.Holder::isAlive)
                    .map(holder -> new LockHolder(holder.pid(), holder.since()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
