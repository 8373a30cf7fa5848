package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The journal's file system really fills up (a small tmpfs and a ballast file) while several threads
 * commit H2 transactions, each one row and one 1 KiB message: no {@link Error} may reach an
 * application thread, a commit that failed leaves no row, the connection still works, every
 * committed row's message is delivered (also across a restart), and publishing resumes by itself
 * once the ballast is deleted.
 */
class FullDiskTest extends QueueTestSupport {
    private static final int THREADS = 3;
    private static final int FILE_SYSTEM_MIB = 64;
    private static final byte[] FILLER = new byte[1024 - 8];

    static Stream<Arguments> durabilityAndFlush() {
        List<Arguments> combinations = new ArrayList<>();
        for (Durability durability : Durability.values()) {
            for (FlushPolicy flush : List.of(FlushPolicy.none(), FlushPolicy.periodic(Duration.ofMillis(20)),
                    FlushPolicy.everyCommit())) {
                combinations.add(Arguments.of(durability, flush));
            }
        }
        return combinations.stream();
    }

    @ParameterizedTest(name = "{0}, flush {1}")
    @MethodSource("durabilityAndFlush")
    void shouldLoseNothingCommittedAndNeverCrashWhenTheDiskFillsUp(Durability durability, FlushPolicy flush)
            throws Exception {
        Path mountPoint = journalDir.resolveSibling("small-fs");
        try (SmallFileSystem fs = SmallFileSystem.mount(mountPoint, FILE_SYSTEM_MIB)) {
            Path journal = fs.root().resolve("journal");
            String url = "jdbc:h2:mem:fulldisk-" + durability + "-" + flush.kind() + ";DB_CLOSE_DELAY=-1";
            try (Connection setup = DriverManager.getConnection(url); Statement statement = setup.createStatement()) {
                statement.execute("create table orders(id bigint primary key)");
            }
            Recorder first = new Recorder();
            DenormQueue queue = DenormQueue.builder(journal).durability(durability).flush(flush)
                    .handler("orders", first).build();
            Workload workload = new Workload(queue, url);
            try {
                workload.start();
                workload.awaitCommits(300, Duration.ofSeconds(30));
                long ballast = fs.fill();
                long committedWhenFull = workload.committed.size();
                // the journal allocates ahead, so commits go on until that allocation is used up
                workload.awaitFailures(20, Duration.ofSeconds(60));
                Thread.sleep(300);
                long failuresWhileFull = workload.failures.get();
                long committedWhileFull = workload.committed.size() - committedWhenFull;
                fs.free();
                long resumedFrom = workload.committed.size();
                workload.awaitCommits(resumedFrom + 300, Duration.ofSeconds(30));
                workload.stop();
                System.out.printf("full disk %s/%s: ballast %d KiB, %d committed, %d failed while full "
                                + "(%d committed while full), %d errors, %d connection failures%n", durability, flush,
                        ballast / 1024, workload.committed.size(), failuresWhileFull, committedWhileFull,
                        workload.errors.size(), workload.brokenConnections.get());
                assertThat(workload.errors).as("Errors thrown into application threads").isEmpty();
                assertThat(workload.brokenConnections.get()).as("connections unusable after a failed commit").isZero();
                assertThat(failuresWhileFull).as("commits refused while the journal was full").isPositive();
                assertThat(workload.failedWithRowPresent(url)).as("failed commits that left a row").isEmpty();
                awaitProcessed(queue);
            } finally {
                workload.stop();
                queue.close();
            }
            Set<Long> delivered = ConcurrentHashMap.newKeySet();
            first.payloads().forEach(payload -> delivered.add(idOf(payload)));
            Recorder second = new Recorder();
            try (DenormQueue restarted = DenormQueue.builder(journal).durability(durability).flush(flush)
                    .handler("orders", second).build()) {
                awaitProcessed(restarted);
                second.payloads().forEach(payload -> delivered.add(idOf(payload)));
                restarted.publish("after-restart", "k", utf8("1"));
                awaitProcessed(restarted);
            }
            List<Long> lost = workload.committed.stream().filter(id -> !delivered.contains(id)).sorted().toList();
            assertThat(lost).as("committed transactions whose message was never delivered").isEmpty();
        }
    }

    private static long idOf(String payload) {
        return Long.parseLong(payload.substring(0, payload.indexOf(' ')));
    }

    /** Threads that commit one row and one message per transaction until stopped. */
    private static final class Workload {
        private final DenormQueue queue;
        private final String url;
        private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        private final List<Future<?>> futures = new ArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong nextId = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private final AtomicLong brokenConnections = new AtomicLong();
        final Set<Long> committed = ConcurrentHashMap.newKeySet();
        final Set<Long> failed = ConcurrentHashMap.newKeySet();
        final List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();

        Workload(DenormQueue queue, String url) {
            this.queue = queue;
            this.url = url;
        }

        void start() {
            for (int t = 0; t < THREADS; t++) {
                futures.add(threads.submit(this::run));
            }
        }

        private void run() {
            try (Connection connection = DriverManager.getConnection(url)) {
                connection.setAutoCommit(false);
                while (running.get()) {
                    long id = nextId.incrementAndGet();
                    try {
                        ProgrammaticTransactions.run(connection, c -> {
                            try (PreparedStatement insert = c.prepareStatement("insert into orders(id) values (?)")) {
                                insert.setLong(1, id);
                                insert.executeUpdate();
                            }
                            byte[] payload = (id + " ").getBytes(StandardCharsets.UTF_8);
                            byte[] message = Arrays.copyOf(payload, payload.length + FILLER.length);
                            queue.publish("order-placed", Long.toString(id), message);
                            return null;
                        });
                        committed.add(id);
                    } catch (Error e) {
                        errors.add(e);
                        failed.add(id);
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        failed.add(id);
                        checkConnection(connection);
                        pause();
                    }
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        }

        private void checkConnection(Connection connection) {
            try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("select 1")) {
                rs.next();
                connection.rollback();
            } catch (SQLException e) {
                brokenConnections.incrementAndGet();
            }
        }

        private static void pause() {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitCommits(long count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (committed.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + committed.size() + " of " + count + " commits within "
                            + timeout + "; errors " + errors + ", failures " + failures.get());
                }
                Thread.sleep(10);
            }
        }

        void awaitFailures(long count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (failures.get() < count && errors.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        void stop() throws Exception {
            running.set(false);
            for (Future<?> future : futures) {
                future.get();
            }
            threads.shutdown();
        }

        List<Long> failedWithRowPresent(String url) throws SQLException {
            List<Long> present = new ArrayList<>();
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement select = connection.prepareStatement("select count(*) from orders where id = ?")) {
                for (long id : failed) {
                    select.setLong(1, id);
                    try (ResultSet rs = select.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            present.add(id);
                        }
                    }
                }
            }
            return present;
        }
    }
}
