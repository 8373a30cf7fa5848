package io.denormq.kafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.denormq.kafka.testing.KafkaBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fixture of the tests against the broker the module's tests share ({@link KafkaBroker#shared()},
 * started once per JVM): a fresh directory per test, deleted afterwards, and a topic name no other
 * test uses (the test creates the topic, with the partitions and settings it needs).
 */
abstract class SharedBrokerTestSupport {
    /** How long a test waits for the bridge to drain before it fails: generous, for a loaded 2-core machine. */
    protected static final Duration AWAIT = Duration.ofSeconds(30);
    private static final AtomicInteger TESTS = new AtomicInteger();
    protected static KafkaBroker broker;

    /** A directory of this test's own (journals, a private broker), deleted after it. */
    protected Path root;
    /** {@code root/journal}. */
    protected Path journalDir;
    /** A topic name of this test's own, not created yet. */
    protected String topic;
    /** A number of this test's own, for other names it needs (an in-memory database). */
    protected int testNumber;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.shared();
    }

    @BeforeEach
    void createDirectoryAndTopicName() throws Exception {
        testNumber = TESTS.incrementAndGet();
        root = Files.createTempDirectory("denormq-kafka-" + topicPrefix() + "-");
        journalDir = root.resolve("journal");
        topic = topicPrefix() + "-test-" + testNumber;
    }

    @AfterEach
    void deleteDirectory() {
        KafkaBroker.deleteRecursively(root);
    }

    /** @return what this class's topics and directories are named after */
    protected abstract String topicPrefix();

    /** @return a builder for a bridge to the shared broker */
    protected static KafkaBridgeBuilder bridgeToBroker() {
        return KafkaBridge.builder().bootstrapServers(broker.bootstrapServers());
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
