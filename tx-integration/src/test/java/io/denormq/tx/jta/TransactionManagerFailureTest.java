package io.denormq.tx.jta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.TransactionBindingException;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A transaction manager that fails (a {@link SystemException}, as Narayana throws when its object
 * store or its state is broken) is reported as what it is — a {@link TransactionBindingException}
 * naming the transaction manager — not as a journal failure, and nothing is journaled.
 */
class TransactionManagerFailureTest {
    private static TransactionManager narayana;

    private final FailingTransactionManager transactionManager = new FailingTransactionManager();
    private final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    private DenormQueue queue;

    @BeforeAll
    static void startTransactionManager() throws Exception {
        narayana = Narayana.transactionManager();
    }

    @AfterEach
    void tearDown() throws Exception {
        transactionManager.failing = false;
        if (narayana.getTransaction() != null) {
            narayana.rollback();
        }
        if (queue != null) {
            queue.close();
        }
    }

    @Test
    void shouldReportAFailingTransactionManagerAsSuchAndJournalNothing() throws Exception {
        queue = DenormQueue.builder(Files.createTempDirectory("denormq-jta-failure").resolve("journal"))
                .transactions(JtaTransactionBinding.of(transactionManager))
                .handler("h", message -> delivered.add(message.payload(Codecs.utf8())))
                .build();

        narayana.begin();
        transactionManager.failing = true;
        assertThatThrownBy(() -> queue.publish("t", "k", "lost?".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(TransactionBindingException.class)
                .hasMessageContaining("transaction manager failed")
                .hasMessageContaining("check the transaction manager's log")
                .hasCauseInstanceOf(SystemException.class);
        transactionManager.failing = false;
        narayana.commit();

        narayana.begin();
        queue.publish("t", "k", "after".getBytes(StandardCharsets.UTF_8));
        narayana.commit();
        assertThat(queue.awaitProcessed(java.time.Duration.ofSeconds(30))).isTrue();
        assertThat(delivered).as("only the message published while the transaction manager worked").containsExactly("after");
    }

    /** Narayana's transaction manager, failing on demand as a broken one does. */
    private static final class FailingTransactionManager implements TransactionManager {
        volatile boolean failing;

        private void check() throws SystemException {
            if (failing) {
                throw new SystemException("object store unavailable");
            }
        }

        @Override
        public void begin() throws NotSupportedException, SystemException {
            check();
            narayana.begin();
        }

        @Override
        public void commit() throws RollbackException, HeuristicMixedException, HeuristicRollbackException,
                SecurityException, IllegalStateException, SystemException {
            check();
            narayana.commit();
        }

        @Override
        public int getStatus() throws SystemException {
            check();
            return narayana.getStatus();
        }

        @Override
        public Transaction getTransaction() throws SystemException {
            check();
            return narayana.getTransaction();
        }

        @Override
        public void resume(Transaction transaction) throws InvalidTransactionException, IllegalStateException,
                SystemException {
            check();
            narayana.resume(transaction);
        }

        @Override
        public void rollback() throws IllegalStateException, SecurityException, SystemException {
            check();
            narayana.rollback();
        }

        @Override
        public void setRollbackOnly() throws IllegalStateException, SystemException {
            check();
            narayana.setRollbackOnly();
        }

        @Override
        public void setTransactionTimeout(int seconds) throws SystemException {
            check();
            narayana.setTransactionTimeout(seconds);
        }

        @Override
        public Transaction suspend() throws SystemException {
            check();
            return narayana.suspend();
        }
    }
}
