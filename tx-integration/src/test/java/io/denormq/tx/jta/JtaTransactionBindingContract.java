package io.denormq.tx.jta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.tx.TestDatabase;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JTA binding with a real transaction manager (Narayana) and two XA resources in one
 * transaction: the orders database under test (a subclass picks it) and an H2 stock database.
 */
abstract class JtaTransactionBindingContract {
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static TransactionManager transactionManager;

    private TestDatabase.Namespace orders;
    private TestDatabase.Namespace stock;
    private DenormQueue queue;
    private final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    private final List<String> missedRows = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startTransactionManager() throws Exception {
        transactionManager = Narayana.transactionManager();
    }

    @BeforeEach
    void setUp() throws Exception {
        orders = createTable(database().fresh("denormq_jta_orders"), "create table orders(id bigint primary key)");
        stock = createTable(TestDatabase.h2().fresh("jta_stock"), "create table reservations(id bigint primary key)");
        Path journalDir = Files.createTempDirectory("denormq-jta").resolve("journal");
        queue = DenormQueue.builder(journalDir)
                .transactions(new JtaTransactionBinding(
                        new com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple()))
                .handler("h", message -> {
                    String id = message.payload(Codecs.utf8());
                    if (message.topic().equals("order-placed")
                            && !(rowExists(orders, "orders", id) && rowExists(stock, "reservations", id))) {
                        missedRows.add(id);
                    }
                    delivered.add(id);
                })
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (queue != null) { // null when the database was not reachable and the test was skipped
            queue.close();
        }
        if (orders != null) {
            orders.close();
        }
        if (stock != null) {
            stock.close();
        }
    }

    /** @return the database the orders live in */
    protected abstract TestDatabase database();

    private static TestDatabase.Namespace createTable(TestDatabase.Namespace namespace, String ddl) throws Exception {
        try (Connection connection = namespace.dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(ddl);
        }
        return namespace;
    }

    private static boolean rowExists(TestDatabase.Namespace namespace, String table, String id) throws Exception {
        try (Connection connection = namespace.dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select count(*) from " + table + " where id = " + id)) {
            rows.next();
            return rows.getInt(1) == 1;
        }
    }

    /** One distributed transaction: a row in each database, one message; optionally a resource whose prepare fails. */
    private void placeOrder(long id, XAResource extraResource) throws Exception {
        XAConnection ordersXa = orders.xaDataSource().getXAConnection();
        XAConnection stockXa = stock.xaDataSource().getXAConnection();
        try {
            placeOrder(id, extraResource, ordersXa, stockXa);
        } finally {
            ordersXa.close();
            stockXa.close();
        }
    }

    /** The same on XA connections the caller keeps open across transactions, as an application server's pool does. */
    private void placeOrder(long id, XAResource extraResource, XAConnection ordersXa, XAConnection stockXa)
            throws Exception {
        transactionManager.begin();
        try {
            transactionManager.getTransaction().enlistResource(ordersXa.getXAResource());
            transactionManager.getTransaction().enlistResource(stockXa.getXAResource());
            if (extraResource != null) {
                transactionManager.getTransaction().enlistResource(extraResource);
            }
            try (Statement statement = ordersXa.getConnection().createStatement()) {
                statement.executeUpdate("insert into orders values (" + id + ")");
            }
            try (Statement statement = stockXa.getConnection().createStatement()) {
                statement.executeUpdate("insert into reservations values (" + id + ")");
            }
            queue.publish("order-placed", "k", Long.toString(id).getBytes(StandardCharsets.UTF_8));
            transactionManager.commit();
        } finally {
            if (transactionManager.getTransaction() != null) {
                transactionManager.rollback();
            }
        }
    }

    private List<String> deliveredAfterMarker() throws InterruptedException {
        queue.publish("t", "k", "marker".getBytes(StandardCharsets.UTF_8)); // no transaction: released at once
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        synchronized (delivered) {
            return List.copyOf(delivered);
        }
    }

    /**
     * The failure this library exists to prevent: a consumer reading the database before the
     * distributed commit finished. Every delivery reads both rows of its transaction on its own
     * connections, under concurrent load.
     */
    @Test
    void shouldReleaseOnlyAfterTheTwoPhaseCommitIsVisibleInBothDatabases() throws Exception {
        int threads = 4;
        int perThread = 2_500;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long base = t * 1_000_000L;
            futures.add(executor.submit(() -> {
                if (!database().reusesXaConnections()) {
                    for (int i = 0; i < perThread; i++) {
                        placeOrder(base + i, null);
                    }
                    return null;
                }
                // the stock database is H2, whose XA connections serve one transaction each
                XAConnection ordersXa = orders.xaDataSource().getXAConnection();
                try {
                    for (int i = 0; i < perThread; i++) {
                        XAConnection stockXa = stock.xaDataSource().getXAConnection();
                        try {
                            placeOrder(base + i, null, ordersXa, stockXa);
                        } finally {
                            stockXa.close();
                        }
                    }
                } finally {
                    ordersXa.close();
                }
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        executor.shutdown();
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(delivered).hasSize(threads * perThread);
        assertThat(missedRows).as("deliveries that could not see both databases' rows").isEmpty();
    }

    @Test
    void shouldNeverDeliverATransactionWhosePrepareFailed() throws Exception {
        assertThatThrownBy(() -> placeOrder(7, new FailingPrepare())).isInstanceOf(RollbackException.class);
        assertThat(rowExists(orders, "orders", "7")).isFalse();
        assertThat(deliveredAfterMarker()).containsExactly("marker");
    }

    @Test
    void shouldDiscardOnRollbackAndReleaseOutsideATransaction() throws Exception {
        transactionManager.begin();
        queue.publish("t", "k", "rolled-back".getBytes(StandardCharsets.UTF_8));
        transactionManager.rollback();
        transactionManager.begin();
        queue.publish("t", "k", "rollback-only".getBytes(StandardCharsets.UTF_8));
        transactionManager.setRollbackOnly();
        assertThatThrownBy(transactionManager::commit).isInstanceOf(RollbackException.class);
        assertThat(deliveredAfterMarker()).containsExactly("marker");
    }

    @Test
    void shouldWorkWithAPlainTransactionManager() throws Exception {
        queue.close();
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        queue = DenormQueue.builder(Files.createTempDirectory("denormq-jta-tm").resolve("journal"))
                .transactions(JtaTransactionBinding.of(transactionManager))
                .handler("h", message -> received.add(message.payload(Codecs.utf8())))
                .build();
        transactionManager.begin();
        queue.publish("t", "k", "committed".getBytes(StandardCharsets.UTF_8));
        queue.publish("t", "k", "same-tx".getBytes(StandardCharsets.UTF_8));
        transactionManager.commit();
        transactionManager.begin();
        queue.publish("t", "k", "rolled-back".getBytes(StandardCharsets.UTF_8));
        transactionManager.rollback();
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(received).containsExactly("committed", "same-tx");
    }

    /** A resource manager that votes no in prepare, as a database that lost its connection would. */
    private static final class FailingPrepare implements XAResource {
        @Override
        public int prepare(Xid xid) throws XAException {
            throw new XAException(XAException.XA_RBROLLBACK);
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            throw new XAException(XAException.XAER_PROTO);
        }

        @Override
        public void rollback(Xid xid) {
        }

        @Override
        public void start(Xid xid, int flags) {
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public void forget(Xid xid) {
        }

        @Override
        public Xid[] recover(int flag) {
            return new Xid[0];
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return other == this;
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return false;
        }
    }
}
