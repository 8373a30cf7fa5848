package io.denormq.tx.jta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import io.denormq.Codecs;
import io.denormq.DenormQueue;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Publishing into a JTA transaction that can no longer commit, with a real transaction manager
 * (Narayana) whose reaper rolls a timed-out transaction back on its own thread while the
 * application's thread is still associated with it. Each test runs with both ways of building the
 * binding: over the transaction manager's synchronization registry, and over a plain transaction
 * manager.
 */
class JtaTransactionStatusTest {
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static final Duration REAPER_DEADLINE = Duration.ofSeconds(20);
    private static final int TIMEOUT_SECONDS = 1;
    private static TransactionManager transactionManager;

    private DenormQueue queue;
    private TransactionSynchronizationRegistry registry;
    private final List<String> delivered = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startTransactionManager() throws Exception {
        transactionManager = Narayana.transactionManager();
    }

    static Stream<Arguments> bindings() {
        Function<TransactionManager, TransactionSynchronizationRegistry> registry =
                tm -> new TransactionSynchronizationRegistryImple();
        // what JtaTransactionBinding.of(tm) builds, kept at hand to check that it holds nothing afterwards
        Function<TransactionManager, TransactionSynchronizationRegistry> plain = TransactionManagerRegistry::new;
        return Stream.of(Arguments.of("synchronization registry", registry),
                Arguments.of("plain transaction manager", plain));
    }

    private void startQueue(Function<TransactionManager, TransactionSynchronizationRegistry> registryFor) throws Exception {
        registry = registryFor.apply(transactionManager);
        queue = DenormQueue.builder(Files.createTempDirectory("denormq-jta-status").resolve("journal"))
                .transactions(new JtaTransactionBinding(registry))
                .handler("h", message -> delivered.add(message.payload(Codecs.utf8())))
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        endTransaction();
        transactionManager.setTransactionTimeout(0); // per thread in Narayana: back to the default
        if (queue != null) {
            queue.close();
        }
        if (registry instanceof TransactionManagerRegistry plain) {
            assertThat(plain.transactionsWithResources()).as("transactions whose batch is still bound").isZero();
        }
    }

    /** Ends the thread's transaction, whether or not the reaper has already rolled it back. */
    private static void endTransaction() throws SystemException {
        if (transactionManager.getTransaction() == null) {
            return;
        }
        try {
            transactionManager.rollback();
        } catch (IllegalStateException | SystemException alreadyRolledBack) {
            // the reaper rolled it back; the thread may still be associated with it
        }
        if (transactionManager.getTransaction() != null) {
            transactionManager.suspend();
        }
    }

    private void publish(String payload) {
        queue.publish("t", "k", payload.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits, as an application thread busy past its timeout would, until the reaper has rolled the transaction back. */
    private static void awaitReaper() throws Exception {
        long deadline = System.nanoTime() + REAPER_DEADLINE.toNanos();
        while (transactionManager.getStatus() == Status.STATUS_ACTIVE && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(transactionManager.getStatus()).as("status after the timeout").isEqualTo(Status.STATUS_ROLLEDBACK);
    }

    /** @return every message delivered before one published outside any transaction, which is released at once */
    private List<String> deliveredAfterMarker() throws InterruptedException {
        publish("marker");
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        synchronized (delivered) {
            return List.copyOf(delivered);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void shouldRefuseToPublishIntoATransactionTheReaperRolledBack(
            String name, Function<TransactionManager, TransactionSynchronizationRegistry> registryFor) throws Exception {
        startQueue(registryFor);
        transactionManager.setTransactionTimeout(TIMEOUT_SECONDS);
        transactionManager.begin();
        publish("before-timeout");
        awaitReaper();
        assertThatThrownBy(() -> publish("after-timeout"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STATUS_ROLLEDBACK")
                .hasMessageContaining("timed out");
        assertThatThrownBy(transactionManager::commit).isInstanceOf(RollbackException.class);
        endTransaction();
        assertThat(deliveredAfterMarker()).containsExactly("marker");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void shouldRefuseTheFirstPublishIntoATransactionTheReaperRolledBack(
            String name, Function<TransactionManager, TransactionSynchronizationRegistry> registryFor) throws Exception {
        startQueue(registryFor);
        transactionManager.setTransactionTimeout(TIMEOUT_SECONDS);
        transactionManager.begin();
        awaitReaper();
        assertThatThrownBy(() -> publish("after-timeout"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STATUS_ROLLEDBACK")
                .hasMessageContaining("timed out");
        endTransaction();
        assertThat(deliveredAfterMarker()).containsExactly("marker");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void shouldRefuseToPublishIntoATransactionMarkedRollbackOnly(
            String name, Function<TransactionManager, TransactionSynchronizationRegistry> registryFor) throws Exception {
        startQueue(registryFor);
        transactionManager.begin();
        publish("before-mark");
        transactionManager.setRollbackOnly();
        assertThatThrownBy(() -> publish("after-mark"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STATUS_MARKED_ROLLBACK")
                .hasMessageContaining("rollback");
        assertThatThrownBy(transactionManager::commit).isInstanceOf(RollbackException.class);
        assertThat(deliveredAfterMarker()).containsExactly("marker");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void shouldRefuseTheFirstPublishIntoATransactionMarkedRollbackOnly(
            String name, Function<TransactionManager, TransactionSynchronizationRegistry> registryFor) throws Exception {
        startQueue(registryFor);
        transactionManager.begin();
        transactionManager.setRollbackOnly();
        assertThatThrownBy(() -> publish("after-mark"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STATUS_MARKED_ROLLBACK");
        transactionManager.rollback();
        assertThat(deliveredAfterMarker()).containsExactly("marker");
    }

    /**
     * The reaper's {@code afterCompletion} runs on its own thread while application threads keep
     * publishing into their transactions. Forbidden: any of those messages delivered, or a
     * publish that neither joins the transaction nor is refused.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void shouldNeverReleaseWhatIsPublishedWhileTheReaperRollsBack(
            String name, Function<TransactionManager, TransactionSynchronizationRegistry> registryFor) throws Exception {
        startQueue(registryFor);
        int threads = 2;
        int rounds = 3;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> refusals = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String thread = "thread-" + t;
            refusals.add(executor.submit(() -> {
                int refused = 0;
                transactionManager.setTransactionTimeout(TIMEOUT_SECONDS);
                try {
                    for (int round = 0; round < rounds; round++) {
                        refused += publishUntilRefused(thread + "-round-" + round);
                    }
                } finally {
                    transactionManager.setTransactionTimeout(0);
                }
                return refused;
            }));
        }
        int refused = 0;
        for (Future<Integer> future : refusals) {
            refused += future.get();
        }
        executor.shutdown();
        assertThat(deliveredAfterMarker()).as("messages of timed-out transactions delivered").containsExactly("marker");
        assertThat(refused).as("rounds whose publish was refused once the reaper had rolled back").isEqualTo(threads * rounds);
    }

    /** Publishes in one transaction until the reaper's rollback makes a publish fail; @return 1 if one was refused. */
    private int publishUntilRefused(String round) throws Exception {
        transactionManager.begin();
        try {
            long deadline = System.nanoTime() + REAPER_DEADLINE.toNanos();
            int afterRollback = 0;
            for (int i = 0; System.nanoTime() < deadline; i++) {
                try {
                    publish(round + "-" + i);
                } catch (IllegalStateException refused) {
                    return 1;
                }
                if (transactionManager.getStatus() != Status.STATUS_ACTIVE && ++afterRollback > 1_000) {
                    return 0; // published a thousand times into a transaction that can no longer commit
                }
                long pause = System.nanoTime() + 50_000;
                while (System.nanoTime() < pause) {
                    Thread.onSpinWait();
                }
            }
            return 0;
        } finally {
            endTransaction();
        }
    }
}
