package io.denormq.tx.jta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.sql.XAConnection;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.tx.TestDatabase;
import io.denormq.tx.TransactionBinding;
import io.denormq.tx.spring.SpringTransactionBinding;
import jakarta.transaction.TransactionManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.transaction.jta.JtaTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Hundreds of JTA transactions in flight at once, each on a thread of its own (virtual threads on
 * JDK 21 and later, platform threads on 17), through the JTA binding (with Narayana's
 * synchronization registry and over a plain transaction manager) and through the Spring binding over
 * Spring's {@code JtaTransactionManager}: the synchronizations that journal and release the batch run
 * on the committing thread, inside the transaction manager's completion, while hundreds of other
 * threads wait for the journal's append lock. No transaction may hang (the test fails with the stuck
 * threads' stacks after {@link #DEADLINE}), and the read model must be exact: every committed order
 * applied once, seen committed by the handler, no rolled-back order applied. {@code .ci/run} runs it
 * on JDK 25 as well.
 */
class VirtualThreadsJtaTest {
    private static final int TRANSACTIONS = 3_000;
    private static final int IN_FLIGHT = 256;
    /** Every 10th transaction rolls back after it published. */
    private static final int ROLL_BACK_EVERY = 10;
    /** Far beyond what 3 000 transactions take here (2–10 s): only a deadlock or a lost wake-up gets there. */
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static TransactionManager transactionManager;

    private TestDatabase.Namespace orders;
    private DenormQueue queue;

    @BeforeAll
    static void startTransactionManager() throws Exception {
        transactionManager = Narayana.transactionManager();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (queue != null) {
            queue.close();
        }
        if (orders != null) {
            orders.close();
        }
    }

    /** How a transaction is run: through the JTA API, or through Spring's transaction template over JTA. */
    private interface Runner {
        void inTransaction(TransactionalWork work) throws Exception;
    }

    @FunctionalInterface
    private interface TransactionalWork {
        /** @return whether to commit */
        boolean run() throws Exception;
    }

    static Stream<Arguments> bindings() {
        return Stream.of(Arguments.of("JTA binding, synchronization registry"),
                Arguments.of("JTA binding, plain transaction manager"),
                Arguments.of("Spring binding, JtaTransactionManager"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void shouldCommitHundredsOfConcurrentTransactionsOnThreadsOfTheirOwnWithoutDeadlock(String binding)
            throws Exception {
        orders = TestDatabase.h2().fresh("jta_threads");
        try (Connection connection = orders.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("create table orders(id bigint primary key)");
            statement.execute("create table order_view(order_id bigint not null)");
        }
        Set<Long> notVisible = ConcurrentHashMap.newKeySet();
        queue = DenormQueue.builder(Files.createTempDirectory("denormq-jta-threads").resolve("journal"))
                .transactions(bindingNamed(binding))
                .handler("order-view", message -> {
                    long id = Long.parseLong(message.payload(Codecs.utf8()));
                    try (Connection connection = orders.dataSource().getConnection()) {
                        if (!exists(connection, id)) {
                            notVisible.add(id); // delivered before its transaction's commit was visible
                        }
                        try (PreparedStatement insert = connection.prepareStatement("insert into order_view values (?)")) {
                            insert.setLong(1, id);
                            insert.executeUpdate();
                        }
                    }
                })
                .build();
        Runner runner = runnerFor(binding);
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger onVirtualThreads = new AtomicInteger();
        ThreadFactory threads = threadFactory();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        Set<Thread> running = ConcurrentHashMap.newKeySet();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        long start = System.nanoTime();
        for (long id = 1; id <= TRANSACTIONS; id++) {
            if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                failStuck(running, "while starting transaction " + id);
            }
            long order = id;
            Thread thread = threads.newThread(() -> {
                try {
                    if (isVirtual(Thread.currentThread())) {
                        onVirtualThreads.incrementAndGet();
                    }
                    // H2's XA connections serve one transaction each; closed once the transaction has completed
                    XAConnection xa = orders.xaDataSource().getXAConnection();
                    try {
                        runner.inTransaction(() -> placeOrder(order, xa));
                    } finally {
                        xa.close();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    running.remove(Thread.currentThread());
                    inFlight.release();
                }
            });
            running.add(thread);
            thread.start();
        }
        if (!inFlight.tryAcquire(IN_FLIGHT, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            failStuck(running, "waiting for the last transactions");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(failures).as("transactions that failed").isEmpty();
        assertThat(queue.awaitProcessed(AWAIT)).as("handler caught up").isTrue();
        System.out.printf("%s: %d transactions, %d in flight, %d on virtual threads (JDK %d), in %.1f s%n", binding,
                TRANSACTIONS, IN_FLIGHT, onVirtualThreads.get(), Runtime.version().feature(), seconds);

        List<Long> committed = ids("select id from orders order by id");
        assertThat(committed).as("committed orders").hasSize(TRANSACTIONS - TRANSACTIONS / ROLL_BACK_EVERY);
        assertThat(ids("select order_id from order_view group by order_id having count(*) > 1"))
                .as("orders applied more than once").isEmpty();
        assertThat(ids("select order_id from order_view order by order_id"))
                .as("the read model: every committed order once, no rolled-back one").isEqualTo(committed);
        assertThat(notVisible).as("orders delivered before their commit was visible").isEmpty();
        if (Runtime.version().feature() >= 21) {
            assertThat(onVirtualThreads.get()).as("transactions on virtual threads").isEqualTo(TRANSACTIONS);
        }
    }

    /** One order: a row in the database and one message; every 10th then rolls back. */
    private boolean placeOrder(long id, XAConnection xa) throws Exception {
        transactionManager.getTransaction().enlistResource(xa.getXAResource());
        try (Statement statement = xa.getConnection().createStatement()) {
            statement.executeUpdate("insert into orders values (" + id + ")");
        }
        queue.publish("order-placed", "k" + id % 64, Long.toString(id).getBytes(StandardCharsets.UTF_8));
        return id % ROLL_BACK_EVERY != 0;
    }

    private static TransactionBinding bindingNamed(String binding) {
        if (binding.endsWith("synchronization registry")) {
            return new JtaTransactionBinding(new TransactionSynchronizationRegistryImple());
        }
        if (binding.endsWith("plain transaction manager")) {
            return JtaTransactionBinding.of(transactionManager);
        }
        return new SpringTransactionBinding();
    }

    private static Runner runnerFor(String binding) {
        if (binding.startsWith("Spring")) {
            JtaTransactionManager jta = new JtaTransactionManager(transactionManager);
            jta.afterPropertiesSet();
            TransactionTemplate template = new TransactionTemplate(jta);
            return work -> template.executeWithoutResult(status -> {
                try {
                    if (!work.run()) {
                        status.setRollbackOnly();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        return work -> {
            transactionManager.begin();
            try {
                if (work.run()) {
                    transactionManager.commit();
                }
            } finally {
                if (transactionManager.getTransaction() != null) {
                    transactionManager.rollback();
                }
            }
        };
    }

    private static boolean exists(Connection connection, long id) throws Exception {
        try (PreparedStatement query = connection.prepareStatement("select count(*) from orders where id = ?")) {
            query.setLong(1, id);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1) == 1;
            }
        }
    }

    private List<Long> ids(String sql) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection connection = orders.dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }

    /** Fails with the stacks of the transactions still running after the deadline: a deadlock shows itself there. */
    private static void failStuck(Set<Thread> running, String when) {
        StringBuilder stacks = new StringBuilder();
        int shown = 0;
        for (Thread thread : running) {
            if (shown++ == 10) {
                break;
            }
            stacks.append('\n').append(thread).append(':');
            for (StackTraceElement frame : thread.getStackTrace()) {
                stacks.append("\n    at ").append(frame);
            }
        }
        fail("%d transaction(s) still running after %s (%s), a deadlock or a lost wake-up; the first of them:%s",
                running.size(), DEADLINE, when, stacks);
    }

    /** Virtual threads on JDK 21 and later (looked up reflectively: the code compiles for 17), else platform threads. */
    private static ThreadFactory threadFactory() {
        if (Runtime.version().feature() < 21) {
            return Thread::new;
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JDK " + Runtime.version() + " should have virtual threads", e);
        }
    }

    private static boolean isVirtual(Thread thread) {
        try {
            return Runtime.version().feature() >= 21 && (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
