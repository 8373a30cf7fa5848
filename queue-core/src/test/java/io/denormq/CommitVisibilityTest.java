package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * No message reaches a handler before its transaction completed: every handler invocation reads, on
 * its own connection to an embedded H2 database, the row the message's transaction wrote, and must
 * find it. Every tenth commit is slowed down between the journal's before-commit and the database
 * commit, where a too-early release would show.
 */
class CommitVisibilityTest extends QueueTestSupport {
    private static final int THREADS = 4;
    private static final int TRANSACTIONS_PER_THREAD = 1_000;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void shouldNeverDeliverBeforeTheDatabaseCommitIsVisible(Durability durability) throws Exception {
        String url = "jdbc:h2:mem:visibility-" + durability + ";DB_CLOSE_DELAY=-1";
        try (Connection setup = DriverManager.getConnection(url); Statement statement = setup.createStatement()) {
            statement.execute("create table orders(id bigint primary key, amount int)");
        }
        AtomicLong delivered = new AtomicLong();
        AtomicLong misses = new AtomicLong();
        Connection handlerConnection = DriverManager.getConnection(url);
        PreparedStatement find = handlerConnection.prepareStatement("select count(*) from orders where id = ?");
        DenormQueue queue = open(builder().durability(durability).handler("reader", message -> {
            find.setLong(1, Long.parseLong(message.payload(Codecs.utf8())));
            try (ResultSet rows = find.executeQuery()) {
                rows.next();
                if (rows.getInt(1) != 1) {
                    misses.incrementAndGet();
                }
            }
            delivered.incrementAndGet();
        }));

        ExecutorService publishers = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            done.add(publishers.submit(() -> {
                publish(url, queue, thread);
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        publishers.shutdown();
        awaitProcessed(queue);
        queue.close();
        handlerConnection.close();

        assertThat(delivered.get()).isEqualTo((long) THREADS * TRANSACTIONS_PER_THREAD);
        assertThat(misses.get()).as("handler invocations that could not see their transaction's row").isZero();
    }

    private static void publish(String url, DenormQueue queue, int thread) throws SQLException, InterruptedException {
        try (Connection connection = DriverManager.getConnection(url)) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("insert into orders values (?, ?)")) {
                for (int i = 0; i < TRANSACTIONS_PER_THREAD; i++) {
                    long id = (long) thread * 1_000_000 + i;
                    boolean slow = i % 10 == 0;
                    try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                        insert.setLong(1, id);
                        insert.setInt(2, i);
                        insert.executeUpdate();
                        queue.publish("order-placed", "c" + (i % 50), Long.toString(id).getBytes(StandardCharsets.UTF_8));
                        tx.commit(() -> {
                            if (slow) {
                                Thread.sleep(2);
                            }
                            connection.commit();
                        });
                    } catch (SQLException | RuntimeException | InterruptedException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
    }
}
