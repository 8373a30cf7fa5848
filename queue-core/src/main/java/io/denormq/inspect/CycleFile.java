package io.denormq.inspect;

import java.util.Objects;

/**
 * One daily file of a journal, as {@link JournalInspector#cycleFiles()} lists it.
 *
 * @param name  the file's name in the journal directory ({@code yyyyMMddF.cq4}: the day its records were written, UTC)
 * @param bytes its size on disk, -1 if it could not be read (deleted by retention meanwhile)
 */
public record CycleFile(String name, long bytes) {
    /**
     * @param name  the file name
     * @param bytes its size, or -1
     */
    public CycleFile {
        Objects.requireNonNull(name, "name");
    }
}
