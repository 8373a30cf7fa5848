package io.denormq.kafka.testing;

/**
 * The broker JVM's entry point: Kafka's own {@code kafka.Kafka} main, plus a watchdog on stdin.
 * {@link KafkaBroker} keeps the child's stdin a pipe; when the JVM that started it dies (even by
 * {@code kill -9}) the pipe reaches end of file and the broker exits, so no broker outlives its test.
 */
public final class BrokerMain {
    private BrokerMain() {
    }

    /**
     * @param args {@code kafka.Kafka}'s arguments: the server.properties file
     * @throws Exception if the broker fails to start
     */
    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent never writes: anything read is ignored
                }
            } catch (Exception parentGone) {
                // same as end of file
            }
            Thread halter = new Thread(() -> {
                try {
                    Thread.sleep(15_000);
                } catch (InterruptedException ignored) {
                    // halting anyway
                }
                Runtime.getRuntime().halt(1); // Kafka's shutdown hook hung
            }, "parent-death-halter");
            halter.setDaemon(true);
            halter.start();
            System.exit(0);
        }, "parent-death-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }
}
