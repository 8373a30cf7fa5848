package io.denormq.recovery.crash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import io.denormq.DenormQueue;
import io.denormq.Durability;

/**
 * The child JVM of the crash-test harness:
 * {@code run|drain WORK_DIR DURABILITY FLUSH_SETTING RUN}. It opens the harness database and the
 * queue in {@code WORK_DIR} (the queue's start-up is its recovery) with a {@link RecordingHandler}.
 * {@code run} then runs the {@link HarnessWorkload} until it is killed; {@code drain} publishes
 * nothing, waits until every released message is processed, closes everything and exits.
 *
 * <p>It prints {@code READY} just before it opens the queue, so that a kill shortly after it lands
 * in recovery or in the first dispatch of the backlog. Before that it opens and closes a throw-away
 * queue: loading Chronicle Queue's classes takes seconds in a fresh JVM, against milliseconds for
 * recovery itself, and the kills meant for recovery would otherwise all land in class loading.
 */
public final class HarnessChild {
    /** The outcome log's file name in the work directory. */
    static final String OUTCOME_LOG = "outcomes.log";
    /** The journal directory's name in the work directory. */
    static final String JOURNAL = "journal";
    /**
     * A run that nobody killed stops by itself after this long, so that a test JVM that died
     * cannot leave a child filling the disk.
     */
    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    /** How long a drain waits for the backlog: far more than it needs, yet finite. */
    private static final Duration DRAIN_LIMIT = Duration.ofMinutes(5);

    private HarnessChild() {
    }

    public static void main(String[] args) throws Exception {
        boolean drain = args[0].equals("drain");
        Path workDir = Path.of(args[1]);
        Durability durability = Durability.valueOf(args[2]);
        FlushSetting flush = FlushSetting.valueOf(args[3]);
        int run = Integer.parseInt(args[4]);

        HarnessDatabase database = new HarnessDatabase(workDir);
        database.createSchema();
        OutcomeLog log = OutcomeLog.append(workDir.resolve(OUTCOME_LOG));
        log.started(run);
        warmUp(workDir.resolve("warm-up"));
        System.out.println("READY");
        System.out.flush();

        RecordingHandler handler = new RecordingHandler(database, run);
        DenormQueue queue = DenormQueue.builder(workDir.resolve(JOURNAL))
                .durability(durability)
                .flush(flush.policy())
                .handler(RecordingHandler.NAME, handler)
                .build();
        log.queueStarted(run);
        if (drain) {
            boolean complete = queue.awaitProcessed(DRAIN_LIMIT);
            queue.close();
            handler.close();
            log.drained(run, complete);
            log.close();
            System.exit(complete ? 0 : 1);
        }
        HarnessWorkload workload = new HarnessWorkload(database, queue, handler, log, run);
        workload.start();
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        while (workload.failure() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (workload.failure() != null) {
            // The parent notices that the child is gone before its kill, and shows this.
            workload.failure().printStackTrace();
        }
        Runtime.getRuntime().halt(workload.failure() == null ? 3 : 2);
    }

    /**
     * Opens and closes a queue in a directory of its own, then deletes it: see the class comment.
     * What a child that died here left is deleted first.
     */
    private static void warmUp(Path directory) throws IOException {
        deleteRecursively(directory);
        DenormQueue.builder(directory).build().close();
        deleteRecursively(directory);
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
