package io.denormq.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temporary directory for one measurement, deleted afterwards: journals grow with every message. */
final class TempJournal implements AutoCloseable {
    private final Path root;

    TempJournal(String name) throws IOException {
        this.root = Files.createTempDirectory("denormq-bench-" + name);
    }

    Path dir() {
        return root.resolve("journal");
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
