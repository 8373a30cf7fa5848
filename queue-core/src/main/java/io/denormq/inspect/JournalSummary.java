package io.denormq.inspect;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link JournalInspector#summary()} found in a journal directory, read in one pass.
 *
 * @param directory         the journal directory
 * @param formatVersion     the version of the journal's record format ({@code denormq.format})
 * @param journalId         the journal's identity ({@code denormq.id}), empty if no queue has written one
 * @param cycleFiles        the journal's cycle files, oldest first
 * @param recordsByKind     records per kind (BATCH, RELEASE, ...), by kind name
 * @param releasedMessages  messages released (delivered or to be delivered to every handler)
 * @param unresolvedBatches batches journaled before their commit whose outcome is not yet written
 * @param deadLetters       dead letters neither redriven nor discarded
 * @param cursors           each handler partition's cursor and lag
 * @param usableBytes       usable space left on the journal's file system, -1 if it could not be read
 * @param lockHolder        the live process holding the journal's lock, empty if none does
 */
public record JournalSummary(Path directory, int formatVersion, Optional<String> journalId,
                             List<CycleFile> cycleFiles, Map<String, Long> recordsByKind, long releasedMessages,
                             int unresolvedBatches, int deadLetters, List<CursorLag> cursors, long usableBytes,
                             Optional<LockHolder> lockHolder) {
    /**
     * @param directory         the journal directory
     * @param formatVersion     the record format version
     * @param journalId         the identity, if any
     * @param cycleFiles        cycle files, copied
     * @param recordsByKind     counts per kind, copied
     * @param releasedMessages  released messages
     * @param unresolvedBatches batches without outcome
     * @param deadLetters       unsettled dead letters
     * @param cursors           cursors, copied
     * @param usableBytes       usable space, or -1
     * @param lockHolder        the holder, if any
     */
    public JournalSummary {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(journalId, "journalId");
        Objects.requireNonNull(lockHolder, "lockHolder");
        cycleFiles = List.copyOf(cycleFiles);
        recordsByKind = Map.copyOf(recordsByKind);
        cursors = List.copyOf(cursors);
    }

    /** @return the bytes the cycle files take on disk */
    public long cycleFileBytes() {
        return cycleFiles.stream().mapToLong(file -> Math.max(0, file.bytes())).sum();
    }

    /** @return the records of every kind */
    public long records() {
        return recordsByKind.values().stream().mapToLong(Long::longValue).sum();
    }
}
