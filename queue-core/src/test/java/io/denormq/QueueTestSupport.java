package io.denormq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base for queue tests: a fresh journal directory per test, queues closed and the directory removed
 * afterwards, and a test fails if a queue it opened is left open or leaves denormq threads behind.
 */
public abstract class QueueTestSupport {
    /** How long a test waits for deliveries before it fails: generous, for a loaded 2-core CI machine. */
    protected static final Duration AWAIT = Duration.ofSeconds(30);

    protected Path journalDir;
    private final List<DenormQueue> opened = new ArrayList<>();

    @BeforeEach
    void createJournalDir() throws IOException {
        journalDir = Files.createTempDirectory("denormq-test-").resolve("journal");
    }

    @AfterEach
    void closeQueuesAndCheckThreads() throws Exception {
        for (DenormQueue queue : opened) {
            queue.close();
        }
        opened.clear();
        assertNoDenormqThreadsLeft();
        deleteRecursively(journalDir.getParent());
    }

    /**
     * Builds a queue that the test base closes after the test.
     */
    protected DenormQueue open(DenormQueueBuilder builder) {
        DenormQueue queue = builder.build();
        opened.add(queue);
        return queue;
    }

    protected DenormQueueBuilder builder() {
        return DenormQueue.builder(journalDir).retry(RetryPolicy.of(3, Duration.ofMillis(1), Duration.ofMillis(5)));
    }

    protected static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static void awaitProcessed(DenormQueue queue) throws InterruptedException {
        if (!queue.awaitProcessed(AWAIT)) {
            throw new AssertionError("handlers did not process everything within " + AWAIT);
        }
    }

    static void assertNoDenormqThreadsLeft() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive)
                    .map(Thread::getName)
                    .filter(name -> name.startsWith("denormq-"))
                    .toList();
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("denormq threads left running after the test closed its queues: " + left);
    }

    /** Deletes a directory tree; nothing if it does not exist. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = new ArrayList<>(walk.toList());
        }
        paths.sort(Comparator.reverseOrder());
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }

    /** A handler that records what it received, thread-safe. */
    protected static final class Recorder implements MessageHandler {
        final List<String> payloads = Collections.synchronizedList(new ArrayList<>());
        final List<Long> sequences = Collections.synchronizedList(new ArrayList<>());
        final List<Long> ids = Collections.synchronizedList(new ArrayList<>());
        final List<Boolean> redelivered = Collections.synchronizedList(new ArrayList<>());
        final List<String> keys = Collections.synchronizedList(new ArrayList<>());
        final List<String> topics = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onMessage(Message message) {
            payloads.add(message.payload(Codecs.utf8()));
            sequences.add(message.sequence());
            ids.add(message.id());
            redelivered.add(message.redelivered());
            keys.add(message.key());
            topics.add(message.topic());
        }

        List<String> payloads() {
            synchronized (payloads) {
                return List.copyOf(payloads);
            }
        }
    }
}
