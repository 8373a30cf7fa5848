package io.denormq.powercut;

import static io.denormq.QueueTestSupport.deleteRecursively;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A FUSE file system that simulates power cuts (powercutfs, compiled from
 * {@code src/test/resources/powercut/powercutfs.c} on first use), in the manner of LazyFS.
 *
 * <p>Everything below the mount point behaves as a local file system, but only what was synced is
 * durable: a file's content and size on fsync/fdatasync of that file (or msync of a mapping of it),
 * a directory entry (create, rename, unlink) on fsync of its directory ({@link Metadata#POSIX}) or on
 * any fsync ({@link Metadata#ORDERED}, ext4's behaviour). Write-back the kernel does on
 * its own is not durable. The durable image lives in the {@code durable} directory given to
 * {@link #mount}; the running file system works on a copy of it, thrown away by {@link #cutPower()}.
 *
 * <ul>
 * <li>{@link #cutPower()}: SIGKILL to the file system process, a lazy unmount; what was not synced is
 * gone, the durable directory is the disk the machine comes back to.</li>
 * <li>{@link #remount()}: mounts the durable image again.</li>
 * <li>{@link #sync()}: what a clean shutdown's sync does: everything becomes durable.</li>
 * <li>{@link #failNextWrites(long)}: the next writes that carry data fail with EIO, as on a failing disk.</li>
 * </ul>
 *
 * <p>Needs /dev/fuse, fusermount3, gcc and libfuse3's headers: {@value #INSTALL}. {@link #unavailable()}
 * says what is missing.
 */
public final class PowerCutFileSystem implements AutoCloseable {
    /** The command that installs what the file system needs. */
    public static final String INSTALL = "bash .ci/fuse (apt-get install -y fuse3 libfuse3-dev pkg-config gcc)";
    private static final String FS_TYPE = "fuse.powercutfs";
    private static final String ORPHANS = ".powercut-orphans";

    private static Path binary;
    private static String unavailable;

    private final Path durable;
    private final Path mountPoint;
    private final Metadata metadata;
    private final PageCache pageCache;
    private Path work;
    private Process daemon;
    private Path daemonLog;
    private final List<String> log = new ArrayList<>();

    private final Thread shutdownHook = new Thread(this::killOnExit, "powercutfs-shutdown");

    private PowerCutFileSystem(Path durable, Path mountPoint, Metadata metadata, PageCache pageCache) {
        this.durable = durable;
        this.mountPoint = mountPoint;
        this.metadata = metadata;
        this.pageCache = pageCache;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Skips the calling test where the file system cannot be used, or fails it under {@code CI=true}:
     * a fault test that skips in CI proves nothing.
     *
     * @param tests what the caller tests, for the skip message
     */
    public static void requireAvailable(String tests) {
        String why = unavailable();
        if (why == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true and the power-cut file system cannot be set up: " + why);
        }
        Assumptions.abort(tests + " skipped: " + why);
    }

    /**
     * Copies the durable image: the disk as a power cut now would leave it, to {@link #mount} elsewhere
     * later. Call it while nothing syncs (every flush the caller waits for has returned).
     *
     * @param to a directory that does not exist yet
     * @throws IOException          if the copy fails
     * @throws InterruptedException if interrupted while copying
     */
    public synchronized void copyDurableImage(Path to) throws IOException, InterruptedException {
        Files.createDirectories(to);
        copy(durable, to);
    }

    /**
     * @return why the file system cannot be used here (and which command installs it), or null if it can
     */
    public static synchronized String unavailable() {
        if (binary == null && unavailable == null) {
            try {
                binary = build();
                probeMount();
            } catch (IOException | RuntimeException e) {
                binary = null;
                unavailable = e.getMessage() + ". Install with: " + INSTALL;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unavailable = "interrupted";
            }
        }
        return unavailable;
    }

    /** When a directory entry (create, rename, unlink) becomes durable. */
    public enum Metadata {
        /** On fsync of the directory that holds it, as POSIX promises (XFS, btrfs and others keep no more). */
        POSIX,
        /**
         * On any fsync, of any file or directory: every earlier entry change, in the manner of ext4's
         * journal commit. A file's content still needs its own fsync.
         */
        ORDERED
    }

    /** How the kernel's page cache of a file is kept. */
    public enum PageCache {
        /**
         * Dropped whenever the file is opened (its dirty pages written back first): FUSE's default,
         * what the power-cut tests were written against.
         */
        DROPPED_ON_OPEN,
        /**
         * Kept across opens, as on a disk file system: pages whose write-back failed stay in memory,
         * held as written, as Linux keeps them there.
         */
        KEPT
    }

    /**
     * Mounts the durable image at {@code mountPoint}, with {@link Metadata#POSIX} directory entries.
     *
     * @param durable    the durable image (created if missing)
     * @param mountPoint an empty directory (created if missing)
     * @return the mounted file system
     */
    public static PowerCutFileSystem mount(Path durable, Path mountPoint) throws IOException, InterruptedException {
        return mount(durable, mountPoint, Metadata.POSIX);
    }

    /**
     * Mounts the durable image at {@code mountPoint}.
     *
     * @param durable    the durable image (created if missing)
     * @param mountPoint an empty directory (created if missing)
     * @param metadata   when directory entries become durable
     * @return the mounted file system
     */
    public static PowerCutFileSystem mount(Path durable, Path mountPoint, Metadata metadata)
            throws IOException, InterruptedException {
        return mount(durable, mountPoint, metadata, PageCache.DROPPED_ON_OPEN);
    }

    /**
     * Mounts the durable image at {@code mountPoint}.
     *
     * @param durable    the durable image (created if missing)
     * @param mountPoint an empty directory (created if missing)
     * @param metadata   when directory entries become durable
     * @param pageCache  how the kernel keeps the files' pages
     * @return the mounted file system
     */
    public static PowerCutFileSystem mount(Path durable, Path mountPoint, Metadata metadata, PageCache pageCache)
            throws IOException, InterruptedException {
        String why = unavailable();
        if (why != null) {
            throw new IllegalStateException("powercutfs is not available: " + why);
        }
        Files.createDirectories(durable);
        Files.createDirectories(mountPoint);
        PowerCutFileSystem fs = new PowerCutFileSystem(durable.toAbsolutePath(), mountPoint.toAbsolutePath(), metadata,
                pageCache);
        fs.start();
        return fs;
    }

    /** @return the mount point */
    public Path mountPoint() {
        return mountPoint;
    }

    /** @return the durable image (do not read while mounted) */
    public Path durable() {
        return durable;
    }

    /**
     * Cuts the power: kills the file system process with SIGKILL, unmounts the dead mount and throws
     * away everything that was not synced. Processes using the mount must be dead first.
     *
     * @return the statistics of the mount that ended (see {@link #stats()}), or null if none was mounted
     */
    public synchronized String cutPower() throws IOException, InterruptedException {
        if (daemon == null) {
            return null;
        }
        String stats;
        try {
            stats = stats();
        } catch (IOException | RuntimeException e) {
            stats = "no statistics: " + e;
        }
        log.add(stats);
        daemon.destroyForcibly();
        daemon.waitFor(30, TimeUnit.SECONDS);
        collectLog();
        daemon = null;
        unmountLazily();
        deleteRecursively(work);
        work = null;
        // inodes that had content but no durable directory entry: freed, as fsck would
        deleteRecursively(durable.resolve(ORPHANS));
        return stats;
    }

    /** Mounts the durable image again, after {@link #cutPower()}. */
    public synchronized void remount() throws IOException, InterruptedException {
        if (daemon != null) {
            throw new IllegalStateException("already mounted at " + mountPoint);
        }
        start();
    }

    /**
     * Makes everything durable, as a clean shutdown's sync would: the kernel writes back what it
     * holds (syncfs), then every directory entry and every file's content become durable.
     */
    public synchronized void sync() throws IOException, InterruptedException {
        if (daemon == null) {
            throw new IllegalStateException("not mounted: " + mountPoint);
        }
        run(List.of("sync", "-f", mountPoint.toString()));
        attributes().write("powercut.sync", ByteBuffer.wrap(new byte[] {1}));
    }

    /**
     * Makes the next {@code count} writes that reach the file system and carry data (a non-zero byte;
     * zero-filling is never failed) fail with EIO, as a disk that failed them would: nothing of them
     * reaches the working copy, and the kernel, which sent them to write back pages (of a mapping, at
     * msync), decides what becomes of those pages. 0 stops failing.
     *
     * @param count how many writes to fail
     * @throws IOException if the file system cannot be told
     */
    public synchronized void failNextWrites(long count) throws IOException {
        if (daemon == null) {
            throw new IllegalStateException("not mounted: " + mountPoint);
        }
        attributes().write("powercut.failwrites", ByteBuffer.wrap(Long.toString(count).getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * @return what reached the file system since it was mounted: file and directory syncs, pages made
     *         durable, writes received and failed
     */
    public synchronized String stats() throws IOException {
        if (daemon == null) {
            throw new IllegalStateException("not mounted: " + mountPoint);
        }
        UserDefinedFileAttributeView view = attributes();
        ByteBuffer buffer = ByteBuffer.allocate(view.size("powercut.stats"));
        view.read("powercut.stats", buffer);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    }

    private UserDefinedFileAttributeView attributes() {
        return Files.getFileAttributeView(mountPoint, UserDefinedFileAttributeView.class);
    }

    /** @return the statistics {@link #cutPower()} collected from each mount, and what the process said */
    public synchronized List<String> log() {
        return List.copyOf(log);
    }

    /** Cuts the power if mounted, and removes the working copy. The durable image is left. */
    @Override
    public synchronized void close() throws IOException {
        try {
            cutPower();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + mountPoint, e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or ran
            }
        }
    }

    /** If the test JVM exits with the file system mounted: no process or mount is left behind. */
    private void killOnExit() {
        Process process;
        synchronized (this) {
            process = daemon;
        }
        if (process != null) {
            process.destroyForcibly();
            try {
                new ProcessBuilder("fusermount3", "-u", "-z", mountPoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                // exiting anyway
            }
        }
    }

    private void start() throws IOException, InterruptedException {
        deleteRecursively(durable.resolve(ORPHANS));
        work = Files.createTempDirectory(durable.getParent(), "powercut-work-");
        copy(durable, work);
        daemonLog = Files.createTempFile(durable.getParent(), "powercutfs-", ".log");
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        if (metadata == Metadata.ORDERED) {
            command.add("--ordered-metadata");
        }
        if (pageCache == PageCache.KEPT) {
            command.add("--keep-cache");
        }
        command.addAll(List.of(durable.toString(), work.toString(), mountPoint.toString()));
        daemon = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(daemonLog.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!isMounted(mountPoint)) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                daemon.destroyForcibly();
                daemon.waitFor(10, TimeUnit.SECONDS);
                String output = Files.readString(daemonLog, StandardCharsets.UTF_8);
                daemon = null;
                throw new IOException("powercutfs did not mount " + mountPoint + ": " + output.trim());
            }
            Thread.sleep(10);
        }
    }

    private void collectLog() throws IOException {
        if (daemonLog != null) {
            String output = Files.readString(daemonLog, StandardCharsets.UTF_8).trim();
            if (!output.isEmpty()) {
                log.add(output);
            }
            Files.deleteIfExists(daemonLog);
            daemonLog = null;
        }
    }

    /** Detaches the (dead) mount even if processes still map files of it: they get errors, not data. */
    private void unmountLazily() throws IOException, InterruptedException {
        if (isMounted(mountPoint)) {
            run(List.of("fusermount3", "-u", "-z", mountPoint.toString()));
        }
    }

    private static boolean isMounted(Path mountPoint) throws IOException {
        String target = " " + mountPoint.toAbsolutePath() + " ";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (line.contains(target) && line.contains(" - " + FS_TYPE + " ")) {
                return true;
            }
        }
        return false;
    }

    private static void copy(Path from, Path to) throws IOException, InterruptedException {
        // sparse journal files stay sparse (Files.copy would write every hole)
        try (Stream<Path> children = Files.list(from)) {
            List<String> command = new ArrayList<>(List.of("cp", "-a", "--sparse=always"));
            children.filter(child -> !child.getFileName().toString().equals(ORPHANS))
                    .forEach(child -> command.add(child.toString()));
            if (command.size() == 3) {
                return;
            }
            command.add(to.toString() + "/");
            run(command);
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.trim());
        }
        return output;
    }

    /** Compiles powercutfs next to the test classes, once. */
    private static Path build() throws IOException, InterruptedException {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            throw new IllegalStateException("/dev/fuse does not exist");
        }
        URL source = PowerCutFileSystem.class.getResource("/powercut/powercutfs.c");
        if (source == null || !source.getProtocol().equals("file")) {
            throw new IllegalStateException("powercutfs.c is not on the test classpath as a file: " + source);
        }
        Path sourceFile;
        try {
            sourceFile = Path.of(source.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try {
            run(List.of("fusermount3", "-V"));
        } catch (IOException e) {
            throw new IllegalStateException("fusermount3 (Debian package fuse3) is missing (" + e.getMessage() + ")");
        }
        Path out = sourceFile.getParent().resolve("powercutfs");
        if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(sourceFile)) > 0) {
            return out;
        }
        String flags;
        try {
            flags = run(List.of("pkg-config", "--cflags", "--libs", "fuse3")).trim();
        } catch (IOException e) {
            throw new IllegalStateException("libfuse3-dev or pkg-config is missing (" + e.getMessage() + ")");
        }
        List<String> command = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-o", out.toString(), sourceFile.toString()));
        command.addAll(Arrays.asList(flags.split("\\s+")));
        try {
            run(command);
        } catch (IOException e) {
            throw new IllegalStateException("cannot compile powercutfs: " + e.getMessage());
        }
        return out;
    }

    /** Mounts and unmounts once: a machine may have /dev/fuse and still refuse FUSE mounts. */
    private static void probeMount() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("powercut-probe-");
        try {
            PowerCutFileSystem fs = new PowerCutFileSystem(dir.resolve("durable"), dir.resolve("mnt"), Metadata.POSIX,
                    PageCache.DROPPED_ON_OPEN);
            Files.createDirectories(fs.durable);
            Files.createDirectories(fs.mountPoint);
            try {
                fs.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot mount a FUSE file system: " + e.getMessage());
            }
            fs.close();
        } finally {
            deleteRecursively(dir);
        }
    }
}
