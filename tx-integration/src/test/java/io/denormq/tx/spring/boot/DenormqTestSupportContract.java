package io.denormq.tx.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.denormq.DenormQueue;
import io.denormq.test.DenormqRecorder;
import io.denormq.test.spring.DenormqTest;
import io.denormq.tx.spring.boot.BootApplicationContract.OrderPlaced;
import io.denormq.tx.spring.boot.BootApplicationContract.TypedOrderLog;
import io.denormq.tx.spring.boot.BootApplicationContract.TypedOrderService;
import io.denormq.tx.spring.boot.BootApplicationContract.TypedShopApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestContextManager;

/**
 * {@link DenormqTest} in a real Spring Boot application, {@link BootApplicationContract}'s typed shop:
 * Boot's {@code DataSource} (H2) and transaction manager, the auto-configured queue and codec, a
 * {@code @Transactional} service that inserts and publishes (and rejects every third order after
 * publishing), and a handler bean. One subclass per Boot generation: Boot 3.5 here, Boot 4 in boot4-tests.
 */
// tag::annotation[]
@SpringBootTest(classes = TypedShopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DenormqTest                                    // this context's own temporary journal, and a recorder bean
public abstract class DenormqTestSupportContract {
    // end::annotation[]
    private static final Duration AWAIT = Duration.ofSeconds(30);

    // tag::fields[]
    @Autowired
    private DenormqRecorder denormq;
    @Autowired
    private TypedOrderService orders;           // a @Transactional service that inserts and publishes
    @Autowired
    private TypedOrderLog orderLog;             // the handler bean
    // end::fields[]
    @Autowired
    private DenormQueue queue;
    @Autowired
    private Environment environment;

    /** @return the Spring Boot generation this subclass must run on (3 or 4) */
    protected abstract int bootGeneration();

    @Test
    void shouldGiveTheContextItsOwnTemporaryJournal() {
        assertThat(SpringBootVersion.getVersion()).startsWith(bootGeneration() + ".");
        Path journal = Path.of(environment.getProperty("denormq.journal-dir"));
        assertThat(queue.journalDirectory()).isEqualTo(journal).isDirectory();
        assertThat(journal.getParent().getFileName().toString()).startsWith("denormq-test-");
        assertThat(journal.getParent().getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    }

    // tag::test[]
    @Test
    void shouldRecordWhatATransactionalServicePublishedAndWaitForTheHandler() throws Exception {
        OrderPlaced order = new OrderPlaced(1, "customer-42", 2_505, List.of("sku-7"));
        orders.place(order);

        assertThat(denormq.transactions()).hasSize(1); // cleared before each test: the other test's is gone
        denormq.lastTransaction().assertCommitted();
        assertThat(denormq.published("order-placed", OrderPlaced.class)).containsExactly(order);
        denormq.awaitProcessed("orderLog", "order-placed", OrderPlaced.class, placed -> placed.orderId() == 1, AWAIT);
        assertThat(orderLog.received).contains(order);
    }
    // end::test[]

    @Test
    void shouldRecordThatARolledBackServiceCallPublishedNothing() throws Exception {
        assertThatThrownBy(() -> orders.place(new OrderPlaced(3, "customer-43", 900, List.of())))
                .hasMessage("order 3 rejected");

        assertThat(denormq.transactions()).hasSize(1); // cleared before each test: the other test's is gone
        denormq.lastTransaction().assertRolledBack();
        assertThat(denormq.published()).isEmpty();
        assertThat(denormq.processed("orderLog")).isEmpty();
    }

    @Test
    void shouldDeleteTheJournalWhenTheContextCloses() throws Exception {
        TestContextManager manager = new TestContextManager(ClosingContext.class);
        ClosingContext test = new ClosingContext();
        manager.prepareTestInstance(test);
        Path journal = test.queue.journalDirectory();
        assertThat(journal).isDirectory();
        assertThat(journal).isNotEqualTo(queue.journalDirectory()); // another context, another journal

        manager.getTestContext().markApplicationContextDirty(DirtiesContext.HierarchyMode.EXHAUSTIVE);

        assertThat(test.queue.isClosed()).isTrue();
        assertThat(journal.getParent()).doesNotExist();
    }

    /** A test class of its own configuration, so that closing its context leaves the suite's alone. */
    @SpringBootTest(classes = TypedShopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
            properties = "spring.application.name=closing")
    @DenormqTest
    static class ClosingContext {
        @Autowired
        DenormQueue queue;
    }
}
