package io.denormq.tx.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

class DenormqHealthIndicatorTest {

    /**
     * The handler's dead letter cannot be written for real: its exception's stack trace, which
     * becomes the dead letter's error text, cannot be printed.
     */
    @Test
    void shouldReportAHaltedHandlerAsDownNamingItAndWhy() throws Exception {
        try (DenormQueue queue = DenormQueue.builder(Files.createTempDirectory("denormq-health").resolve("journal"))
                .retry(RetryPolicy.of(1, Duration.ofMillis(1), Duration.ofMillis(1)))
                .handler("order-totals", message -> {
                    if (message.payload(Codecs.utf8()).equals("poison")) {
                        throw new IllegalStateException("cannot total") {
                            @Override
                            public void printStackTrace(PrintWriter writer) {
                                throw new IllegalStateException("stack trace cannot be printed");
                            }
                        };
                    }
                })
                .handler("audit", message -> { })
                .build()) {
            DenormqHealthIndicator indicator = new DenormqHealthIndicator(queue, Duration.ofMinutes(10));
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

            queue.publish("t", "k", "poison".getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (queue.stats().haltedHandlers().isEmpty()) {
                assertThat(System.nanoTime()).as("halted in time").isLessThan(deadline);
                Thread.sleep(5);
            }

            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> handlers = (Map<String, Map<String, Object>>) health.getDetails().get("handlers");
            assertThat(handlers.get("order-totals")).containsEntry("status", "HALTED");
            assertThat((String) handlers.get("order-totals").get("haltReason")).contains("could not dead-letter")
                    .contains("stack trace cannot be printed").contains("restart");
            assertThat(handlers.get("audit")).containsEntry("status", "OK").doesNotContainKey("haltReason");
            assertThat(health.getDetails().get("haltedHandlers")).asInstanceOf(
                            org.assertj.core.api.InstanceOfAssertFactories.MAP).containsOnlyKeys("order-totals");
        }
    }

    /** The threshold is above what the real file system has free: the indicator must say so, with the figures. */
    @Test
    void shouldReportLowJournalSpaceAsDown() throws Exception {
        java.nio.file.Path journal = Files.createTempDirectory("denormq-health").resolve("journal");
        long usable = Files.getFileStore(journal.getParent()).getUsableSpace();
        try (DenormQueue queue = DenormQueue.builder(journal).lowSpaceWarning(usable * 2).build()) {
            Health health = new DenormqHealthIndicator(queue, Duration.ofMinutes(10)).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("journalSpaceLow", true).containsEntry("journalFull", false)
                    .containsEntry("journalReservedBytes", io.denormq.DenormQueueBuilder.DEFAULT_RESERVED_SPACE_BYTES);
            assertThat((Long) health.getDetails().get("journalUsableBytes")).isPositive();
        }
        try (DenormQueue queue = DenormQueue.builder(journal).lowSpaceWarning(0).build()) {
            assertThat(new DenormqHealthIndicator(queue, Duration.ofMinutes(10)).health().getStatus()).isEqualTo(Status.UP);
        }
    }
}
