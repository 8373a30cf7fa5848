package io.denormq;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real, small file system that really fills up: a tmpfs mounted for one test (these machines run
 * the suite as root). Under {@code CI=true} a test that cannot mount one fails instead of skipping,
 * so that the full-disk guarantees are always checked in CI.
 */
final class SmallFileSystem implements AutoCloseable {
    private final Path mountPoint;
    private final Path ballast;

    private SmallFileSystem(Path mountPoint) {
        this.mountPoint = mountPoint;
        this.ballast = mountPoint.resolve("ballast");
    }

    /**
     * Mounts a tmpfs of {@code megabytes} MiB at a new directory {@code mountPoint}.
     */
    static SmallFileSystem mount(Path mountPoint, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        String output = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0700", "tmpfs",
                mountPoint.toString()));
        if (output != null) {
            String reason = "cannot mount a " + megabytes + " MiB tmpfs at " + mountPoint + " (needs root, or "
                    + "'unshare --user --map-root-user --mount'): " + output;
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must run the full-disk tests, but " + reason);
            }
            Assumptions.abort(reason);
        }
        return new SmallFileSystem(mountPoint);
    }

    Path root() {
        return mountPoint;
    }

    /** Fills every free block with a ballast file; returns how many bytes it took. */
    long fill() throws IOException {
        ByteBuffer block = ByteBuffer.allocate(64 * 1024);
        long written = 0;
        try (FileChannel channel = FileChannel.open(ballast, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (true) {
                block.clear();
                try {
                    while (block.hasRemaining()) {
                        written += channel.write(block);
                    }
                } catch (IOException full) {
                    break; // ENOSPC: the file system is full
                }
            }
            // the last partial blocks: fill byte by byte-ish until nothing more fits
            ByteBuffer small = ByteBuffer.allocate(512);
            while (true) {
                small.clear();
                try {
                    written += channel.write(small);
                } catch (IOException full) {
                    break;
                }
            }
        }
        return written;
    }

    /** Deletes the ballast: the space comes back. */
    void free() throws IOException {
        Files.deleteIfExists(ballast);
    }

    long usableSpace() throws IOException {
        return Files.getFileStore(mountPoint).getUsableSpace();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        String output = run(List.of("umount", "-l", mountPoint.toString()));
        if (output != null) {
            throw new IOException("cannot unmount " + mountPoint + ": " + output);
        }
    }

    /** @return null on success, else the command's output */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "timed out: " + command;
        }
        return process.exitValue() == 0 ? null : "exit " + process.exitValue() + ": " + output;
    }
}
