package io.denormq.kafka;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.denormq.DenormQueue;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * The publishing JVM of {@link PublisherCrashTest}: a queue with a {@link KafkaBridge} handler, and
 * one thread committing H2 transactions of 1 to 4 messages each (every ninth rolled back) as fast
 * as it can, until killed.
 *
 * <p>{@code run|drain JOURNAL BOOTSTRAP TOPIC LOG FIRST_TX}. The log gets, with one unbuffered write
 * per entry so that it survives {@code kill -9}: {@code B tx count C|R .} before a transaction
 * publishes, {@code A tx .} once its commit returned. {@code drain} commits 50 transactions, waits
 * until the broker acknowledged everything released, closes the queue and the bridge, logs
 * {@code D .} and exits.
 *
 * <p>Message {@code i} of transaction {@code tx} has payload {@code tx:i} and key
 * {@code k((tx + i) % 13)}, none for the first message of every tenth transaction.
 */
public final class PublisherChild {
    private static FileOutputStream log;

    private PublisherChild() {
    }

    /**
     * @param args see the class comment
     * @throws Exception if it cannot run
     */
    public static void main(String[] args) throws Exception {
        boolean drain = args[0].equals("drain");
        Path journal = Path.of(args[1]);
        String bootstrap = args[2];
        String topic = args[3];
        log = new FileOutputStream(args[4], true);
        long tx = Long.parseLong(args[5]);
        KafkaBridge bridge = KafkaBridge.builder()
                .bootstrapServers(bootstrap)
                .topic("order-placed", topic)
                .source("publisher-child")
                // more records waiting in the producer at any moment: more of them in flight when the kill lands
                .producerProperty("linger.ms", 20)
                .build();
        DenormQueue queue = DenormQueue.builder(journal).handler("kafka", bridge).build();
        try (Connection database = DriverManager.getConnection("jdbc:h2:mem:child")) {
            database.setAutoCommit(false);
            try (Statement statement = database.createStatement()) {
                statement.execute("create table orders(tx bigint, i int)");
            }
            database.commit();
            System.out.println("READY");
            System.out.flush();
            for (long end = drain ? tx + 50 : Long.MAX_VALUE; tx < end; tx++) {
                transaction(queue, database, tx);
            }
        }
        if (!queue.awaitProcessed(Duration.ofSeconds(60))) {
            System.err.println("the bridge did not drain within 60 s: " + queue.stats());
            System.exit(2);
        }
        queue.close();
        bridge.close();
        write("D");
    }

    private static void transaction(DenormQueue queue, Connection database, long tx) throws IOException {
        int count = 1 + (int) (tx % 4);
        boolean rollback = tx % 9 == 4;
        write("B " + tx + " " + count + (rollback ? " R" : " C"));
        try {
            ProgrammaticTransactions.run(database, connection -> {
                for (int i = 0; i < count; i++) {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("insert into orders values (" + tx + ", " + i + ")");
                    }
                    String key = i == 0 && tx % 10 == 0 ? null : "k" + (tx + i) % 13;
                    queue.publish("order-placed", key, (tx + ":" + i).getBytes(StandardCharsets.UTF_8));
                }
                if (rollback) {
                    throw new SQLException("rolled back on purpose");
                }
                return null;
            });
            write("A " + tx);
        } catch (SQLException rolledBack) {
            // as planned
        }
    }

    private static void write(String entry) throws IOException {
        log.write((entry + " .\n").getBytes(StandardCharsets.US_ASCII));
    }
}
