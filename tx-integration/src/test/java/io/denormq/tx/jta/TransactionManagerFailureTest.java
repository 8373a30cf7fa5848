package io.denormq.tx.jta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import io.denormq.TransactionBindingException;
import io.denormq.test.DenormqExtension;
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
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A transaction manager that fails (a {@link SystemException}, as Narayana throws when its object
 * store or its state is broken) is reported as what it is — a {@link TransactionBindingException}
 * naming the transaction manager — not as a journal failure, and nothing is journaled.
 */
class TransactionManagerFailureTest {
    private static TransactionManager narayana;

    private final FailingTransactionManager transactionManager = new FailingTransactionManager();

    @RegisterExtension
    final DenormqExtension denormq = DenormqExtension.builder()
            .transactions(JtaTransactionBinding.of(transactionManager))
            .handler("h", message -> { })
            .build();

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
    }

    @Test
    void shouldReportAFailingTransactionManagerAsSuchAndJournalNothing() throws Exception {
        narayana.begin();
        transactionManager.failing = true;
        assertThatThrownBy(() -> denormq.queue().publish("t", "k", "lost?".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(TransactionBindingException.class)
                .hasMessageContaining("transaction manager failed")
                .hasMessageContaining("check the transaction manager's log")
                .hasCauseInstanceOf(SystemException.class);
        transactionManager.failing = false;
        narayana.commit();

        narayana.begin();
        denormq.queue().publish("t", "k", "after".getBytes(StandardCharsets.UTF_8));
        narayana.commit();
        denormq.recorder().lastTransaction().assertCommitted();
        assertThat(denormq.queue().awaitProcessed(java.time.Duration.ofSeconds(30))).isTrue();
        assertThat(denormq.recorder().processed("h")).as("only the message published while the transaction manager worked")
                .extracting(message -> new String(message.payload(), StandardCharsets.UTF_8)).containsExactly("after");
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
