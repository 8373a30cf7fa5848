package io.denormq.recovery.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The directory that holds one demo run's database and journal: a new temporary directory deleted
 * afterwards, or one the user named, which must be empty and is always kept.
 */
final class WorkDirectory implements AutoCloseable {
    private final Path path;
    private final boolean delete;

    private WorkDirectory(Path path, boolean delete) {
        this.path = path;
        this.delete = delete;
    }

    /**
     * @param named the directory the user named, or null for a new temporary one
     * @param keep  whether to keep a temporary directory afterwards
     * @return the work directory
     * @throws IOException              if it cannot be created
     * @throws IllegalArgumentException if the named directory is not empty
     */
    static WorkDirectory open(Path named, boolean keep) throws IOException {
        if (named == null) {
            return new WorkDirectory(Files.createTempDirectory("denormq-demo-"), !keep);
        }
        Path dir = Files.createDirectories(named);
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException(dir + " is not empty: give the demo an empty or new directory");
            }
        }
        return new WorkDirectory(dir, false);
    }

    /**
     * @param existing a directory an earlier run of the demo left behind
     * @return it, kept afterwards
     * @throws IllegalArgumentException if it does not exist
     */
    static WorkDirectory resume(Path existing) {
        if (existing == null || !Files.isDirectory(existing)) {
            throw new IllegalArgumentException(existing + " does not exist: --resume goes on in an earlier run's --dir");
        }
        return new WorkDirectory(existing, false);
    }

    Path path() {
        return path;
    }

    /** @return whether the directory is kept after the run */
    boolean kept() {
        return !delete;
    }

    /** Deletes the directory and everything in it, unless it is to be kept. */
    @Override
    public void close() throws IOException {
        if (!delete) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(path)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
