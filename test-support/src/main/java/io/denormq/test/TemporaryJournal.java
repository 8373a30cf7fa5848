package io.denormq.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A journal directory that exists for one test (or one test context) and is deleted with everything
 * in it by {@link #close()}. It is created under {@code java.io.tmpdir}; the queue creates the
 * journal itself in {@link #directory()} when it starts.
 *
 * <p>Close the queue first: a queue still running holds the directory's lock and maps its files.
 */
public final class TemporaryJournal implements AutoCloseable {
    private final Path parent;
    private final Path directory;

    private TemporaryJournal(Path parent) {
        this.parent = parent;
        this.directory = parent.resolve("journal");
    }

    /**
     * Creates a new, empty temporary directory.
     *
     * @return the temporary journal; its {@link #directory()} does not exist yet (the queue creates it)
     * @throws UncheckedIOException if the temporary directory cannot be created
     */
    public static TemporaryJournal create() {
        try {
            return new TemporaryJournal(Files.createTempDirectory("denormq-test-"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary journal directory under "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
    }

    /** @return the journal directory to build a queue on */
    public Path directory() {
        return directory;
    }

    /**
     * Deletes the directory and everything in it. Idempotent.
     *
     * @throws UncheckedIOException if something in it cannot be deleted
     */
    @Override
    public void close() {
        if (!Files.exists(parent)) {
            return;
        }
        try {
            Files.walkFileTree(parent, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    if (failure != null) {
                        throw failure;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete the temporary journal " + parent + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return directory.toString();
    }
}
