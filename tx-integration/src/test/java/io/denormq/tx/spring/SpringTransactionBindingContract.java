package io.denormq.tx.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.QueueClosedException;
import io.denormq.tx.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The Spring binding with a real {@link DataSourceTransactionManager} on a real database; run
 * against each database by a subclass.
 */
abstract class SpringTransactionBindingContract {
    private static final Duration AWAIT = Duration.ofSeconds(30);

    private Path journalDir;
    private JdbcTemplate jdbc;
    private DataSourceTransactionManager transactionManager;
    private TransactionTemplate tx;
    private DenormQueue queue;
    private TestDatabase.Namespace database;
    private final List<String> delivered = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() throws Exception {
        journalDir = Files.createTempDirectory("denormq-spring").resolve("journal");
        database = database().fresh("denormq_spring");
        DataSource dataSource = database.dataSource();
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("create table orders(id bigint primary key)");
        transactionManager = new DataSourceTransactionManager(dataSource);
        transactionManager.setNestedTransactionAllowed(true);
        tx = new TransactionTemplate(transactionManager);
        queue = DenormQueue.builder(journalDir)
                .transactions(new SpringTransactionBinding())
                .handler("h", message -> delivered.add(message.payload(Codecs.utf8())))
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (queue != null) { // null when the database was not reachable and the test was skipped
            queue.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** @return the database this suite runs against */
    protected abstract TestDatabase database();

    private void publish(String payload) {
        queue.publish("t", "k", payload.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> deliveredAfterMarker() throws InterruptedException {
        publish("marker"); // outside any transaction: released at once, after everything before it
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        synchronized (delivered) {
            return List.copyOf(delivered);
        }
    }

    @Test
    void shouldReleaseOnCommitAndDiscardOnRollback() throws Exception {
        tx.executeWithoutResult(status -> {
            jdbc.update("insert into orders values (1)");
            publish("committed");
        });
        assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
            publish("rolled-back-by-exception");
            throw new IllegalStateException("business failure");
        })).hasMessage("business failure");
        tx.executeWithoutResult(status -> {
            publish("rolled-back-by-setRollbackOnly");
            status.setRollbackOnly();
        });
        assertThat(deliveredAfterMarker()).containsExactly("committed", "marker");
    }

    @Test
    void shouldGiveRequiresNewItsOwnBatch() throws Exception {
        TransactionTemplate requiresNew = new TransactionTemplate(transactionManager);
        requiresNew.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        tx.executeWithoutResult(outer -> {
            publish("outer-before");
            requiresNew.executeWithoutResult(inner -> publish("inner"));
            publish("outer-after");
            outer.setRollbackOnly();
        });
        tx.executeWithoutResult(outer -> {
            publish("outer-2");
            requiresNew.executeWithoutResult(inner -> {
                publish("inner-2-rolled-back");
                inner.setRollbackOnly();
            });
        });
        assertThat(deliveredAfterMarker()).containsExactly("inner", "outer-2", "marker");
    }

    @Test
    void shouldKeepMessagesOfARolledBackSavepointWhenTheTransactionCommits() throws Exception {
        TransactionTemplate nested = new TransactionTemplate(transactionManager);
        nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        tx.executeWithoutResult(outer -> {
            publish("outer");
            nested.executeWithoutResult(savepoint -> {
                publish("in-rolled-back-savepoint");
                savepoint.setRollbackOnly();
            });
        });
        // Documented: the queue cannot see savepoints; released with the committed transaction.
        assertThat(deliveredAfterMarker()).containsExactly("outer", "in-rolled-back-savepoint", "marker");
    }

    @Test
    void shouldJoinReadOnlyTransactions() throws Exception {
        TransactionTemplate readOnly = new TransactionTemplate(transactionManager);
        readOnly.setReadOnly(true);
        readOnly.executeWithoutResult(status -> publish("from-read-only"));
        assertThat(deliveredAfterMarker()).containsExactly("from-read-only", "marker");
    }

    @Test
    void shouldRollTheDatabaseBackWhenJournalingFailsBeforeCommit() {
        assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
            jdbc.update("insert into orders values (42)");
            publish("never");
            queue.close(); // the journal is gone when Spring calls beforeCommit
        })).isInstanceOf(QueueClosedException.class);
        assertThat(jdbc.queryForObject("select count(*) from orders", Integer.class)).isZero();
    }

    @Test
    void shouldNeverDeliverBeforeTheCommitIsVisible() throws Exception {
        queue.close();
        AtomicLong misses = new AtomicLong();
        AtomicLong seen = new AtomicLong();
        queue = DenormQueue.builder(journalDir)
                .transactions(new SpringTransactionBinding())
                .handler("visibility", message -> {
                    long id = Long.parseLong(message.payload(Codecs.utf8()));
                    if (jdbc.queryForObject("select count(*) from orders where id = ?", Integer.class, id) != 1) {
                        misses.incrementAndGet();
                    }
                    seen.incrementAndGet();
                })
                .build();
        int threads = 4;
        int perThread = 2_500;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long base = t * 1_000_000L;
            futures.add(executor.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    long id = base + i;
                    tx.executeWithoutResult(status -> {
                        jdbc.update("insert into orders values (?)", id);
                        publish(Long.toString(id));
                    });
                }
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        executor.shutdown();
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(seen.get()).isEqualTo(threads * perThread);
        assertThat(misses.get()).as("deliveries that could not see their transaction's row").isZero();
    }
}
