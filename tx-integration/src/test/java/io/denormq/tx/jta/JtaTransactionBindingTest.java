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
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import io.denormq.Codecs;
import io.denormq.DenormQueue;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JTA binding with a real transaction manager (Narayana) and two XA resources in one
 * transaction: two H2 databases.
 */
class JtaTransactionBindingTest {
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static TransactionManager transactionManager;

    private JdbcDataSource orders;
    private JdbcDataSource stock;
    private DenormQueue queue;
    private final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    private final List<String> missedRows = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startTransactionManager() throws Exception {
        String store = Files.createTempDirectory("denormq-narayana").toString();
        BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class).setObjectStoreDir(store);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore").setObjectStoreDir(store);
        transactionManager = com.arjuna.ats.jta.TransactionManager.transactionManager();
    }

    @BeforeEach
    void setUp() throws Exception {
        int n = DATABASES.incrementAndGet();
        orders = dataSource("jta-orders-" + n, "create table orders(id bigint primary key)");
        stock = dataSource("jta-stock-" + n, "create table reservations(id bigint primary key)");
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
    void tearDown() {
        queue.close();
    }

    private static JdbcDataSource dataSource(String name, String ddl) throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(ddl);
        }
        return dataSource;
    }

    private static boolean rowExists(JdbcDataSource dataSource, String table, String id) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select count(*) from " + table + " where id = " + id)) {
            rows.next();
            return rows.getInt(1) == 1;
        }
    }

    /** One distributed transaction: a row in each database, one message; optionally a resource whose prepare fails. */
    private void placeOrder(long id, XAResource extraResource) throws Exception {
        transactionManager.begin();
        XAConnection ordersXa = orders.getXAConnection();
        XAConnection stockXa = stock.getXAConnection();
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
            ordersXa.close();
            stockXa.close();
        }
    }

    private List<String> deliveredAfterMarker() throws InterruptedException {
        queue.publish("t", "k", "marker".getBytes(StandardCharsets.UTF_8)); // no transaction: released at once
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        synchronized (delivered) {
            return List.copyOf(delivered);
        }
    }

    @Test
    void shouldReleaseAfterTheTwoPhaseCommitAndSeeBothDatabases() throws Exception {
        for (long id = 1; id <= 200; id++) {
            placeOrder(id, null);
        }
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(delivered).hasSize(200);
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
