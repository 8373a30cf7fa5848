package io.denormq.kafka.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;

/**
 * A real Kafka broker for tests and benchmarks: Kafka's own server ({@code kafka_2.13}), one node in
 * KRaft combined mode (broker and controller, no ZooKeeper), in a child JVM started from the
 * current classpath, listening on free loopback ports only. It can be killed with {@code kill -9}
 * and started again on the same ports and log directory, as a crashed broker would be.
 *
 * <p>Starting takes about 3 s; starting again after {@code kill -9} about 5 to 6 s (the controller
 * waits for the dead incarnation's session to expire, shortened here to 3 s). The broker's output
 * goes to {@code broker.log} in its directory, at WARN and above.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static KafkaBroker shared;

    private final Path dir;
    private final Path config;
    private final Path log;
    private final int port;
    private Process process;

    private KafkaBroker(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.config = dir.resolve("server.properties");
        this.log = dir.resolve("broker.log");
        this.port = freePort();
        int controllerPort = freePort();
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("kafka-logs"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // after kill -9 the controller refuses the new incarnation until the old session expires (default 9 s)
                "broker.session.timeout.ms=3000",
                "broker.heartbeat.interval.ms=500",
                "auto.create.topics.enable=false",
                "log.cleaner.backoff.ms=500", // compacted topics are compacted within seconds, for the tests that need it
                ""), StandardCharsets.UTF_8);
    }

    /**
     * Formats a fresh log directory under {@code dir} and starts a broker on it.
     *
     * @param dir an empty directory the broker may use
     * @return the running broker
     * @throws Exception if it does not start
     */
    public static KafkaBroker start(Path dir) throws Exception {
        KafkaBroker broker = new KafkaBroker(dir);
        broker.format();
        broker.start();
        return broker;
    }

    /**
     * One broker shared by every test class of this JVM that does not stop it, started on first use
     * and stopped when the JVM exits: a broker start is the slowest part of a test class.
     *
     * @return the shared broker
     * @throws Exception if it does not start
     */
    public static synchronized KafkaBroker shared() throws Exception {
        if (shared == null) {
            Path dir = Files.createTempDirectory("denormq-kafka-shared-");
            KafkaBroker broker = start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                broker.close();
                deleteRecursively(dir);
            }, "shared-kafka-broker-stop"));
            shared = broker;
        }
        return shared;
    }

    /** @return {@code 127.0.0.1:port}, for {@code bootstrap.servers} */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** @return the broker's output (WARN and above) */
    public Path log() {
        return log;
    }

    /**
     * Creates a topic with replication factor 1.
     *
     * @param name       the topic
     * @param partitions its partition count
     * @throws Exception if the broker refuses
     */
    public void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic with replication factor 1 and topic-level settings.
     *
     * @param name       the topic
     * @param partitions its partition count
     * @param configs    topic settings, such as {@code cleanup.policy=compact}
     * @throws Exception if the broker refuses
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Changes a topic-level setting.
     *
     * @param topic the topic
     * @param name  the setting, such as {@code cleanup.policy}
     * @param value its new value
     * @throws Exception if the broker refuses
     */
    public void setTopicConfig(String topic, String name, String value) throws Exception {
        try (Admin admin = admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                    List.of(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Starts the broker JVM (again, after {@link #kill()} or {@link #stop()}: same ports, same data)
     * and waits until the broker serves clients.
     *
     * @throws Exception if it does not start within 90 s
     */
    public void start() throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker is running already");
        }
        process = new ProcessBuilder(javaCommand(BrokerMain.class.getName(), config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start(); // stdin stays a pipe: BrokerMain exits at its end of file
        awaitReady();
    }

    /**
     * @return the CPU time the broker JVM used so far (user and system), zero if it is not running or
     *         the operating system does not tell
     */
    public java.time.Duration cpuTime() {
        Process running = process;
        return running == null ? java.time.Duration.ZERO
                : running.info().totalCpuDuration().orElse(java.time.Duration.ZERO);
    }

    /**
     * Kills the broker JVM with SIGKILL, as a crash would: the next {@link #start()} recovers its logs.
     *
     * @throws InterruptedException if interrupted while waiting for it to die
     */
    public void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("kill -9 did not end the broker");
        }
        process = null;
    }

    /**
     * Stops the broker cleanly (SIGTERM: Kafka's controlled shutdown).
     *
     * @throws InterruptedException if interrupted while waiting for it
     */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Kills the broker if it runs. */
    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /**
     * Deletes a directory tree, ignoring what cannot be deleted.
     *
     * @param dir the directory
     */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200));
    }

    /** The storage tool's main exits the JVM, so it runs in a child of its own. */
    private void format() throws Exception {
        Process format = new ProcessBuilder(javaCommand("kafka.tools.StorageTool", "format",
                "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        format.getOutputStream().close();
        if (!format.waitFor(60, TimeUnit.SECONDS)) {
            format.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("formatting the broker's storage timed out\n" + logTail());
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException("formatting the broker's storage failed (exit " + format.exitValue() + ")\n"
                    + logTail());
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the broker exited (" + process.exitValue() + ")\n" + logTail());
                }
                try {
                    if (admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).stream().anyMatch(node -> node.id() == 1)) {
                        return;
                    }
                } catch (Exception notYet) {
                    // still starting
                }
                if (System.nanoTime() > deadline) {
                    close();
                    throw new IllegalStateException("the broker was not ready within " + READY_TIMEOUT + "\n" + logTail());
                }
                Thread.sleep(100);
            }
        }
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Tests want a quick start (C1 only, small heap); a benchmark sets denormq.kafka.broker.jvm to a full JIT.
        String jvm = System.getProperty("denormq.kafka.broker.jvm", "-Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        command.addAll(List.of(jvm.trim().split("\\s+")));
        command.addAll(List.of("-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-cp", classpath(), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** Surefire puts the test classpath in surefire.test.class.path; a plain JVM (the benchmarks) in java.class.path. */
    private static String classpath() {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        if (classpath == null || classpath.isBlank()) {
            throw new IllegalStateException("no classpath to start the broker with");
        }
        return classpath;
    }

    private String logTail() {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + ", " + dir + "]";
    }
}
