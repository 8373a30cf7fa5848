package io.denormq.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.denormq.DenormQueue;
import io.denormq.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class DenormqMetricsTest {

    @Test
    void shouldPublishLagAndCountersPerHandler() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (DenormQueue queue = DenormQueue.builder(Files.createTempDirectory("denormq-metrics").resolve("journal"))
                .retry(RetryPolicy.of(2, Duration.ofMillis(1), Duration.ofMillis(1)))
                .handler("stuck", message -> unblock.await())
                .handler("failing", message -> {
                    throw new IllegalStateException("always");
                })
                .build()) {
            new DenormqMetrics(queue).bindTo(registry);
            for (int i = 0; i < 3; i++) {
                queue.publish("t", "k", "m".getBytes(StandardCharsets.UTF_8));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (registry.get("denormq.handler.lag").tag("handler", "stuck").gauge().value() < 3
                    || registry.get("denormq.handler.dead.letters").tag("handler", "failing").functionCounter().count() < 3) {
                assertThat(System.nanoTime()).as("metrics caught up in time").isLessThan(deadline);
                Thread.sleep(5);
            }
            assertThat(registry.get("denormq.handler.lag.time").tag("handler", "stuck").timeGauge()
                    .value(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(0);
            assertThat(registry.get("denormq.handler.retries").tag("handler", "failing").functionCounter().count())
                    .isEqualTo(3);
            assertThat(registry.get("denormq.handler.processed").tag("handler", "failing").functionCounter().count())
                    .isEqualTo(3);
            assertThat(registry.get("denormq.handler.unread.records").tag("handler", "stuck").gauge().value())
                    .as("three messages fit in its ring: its reader has read them all").isZero();
            assertThat(registry.get("denormq.batches.unresolved").gauge().value()).isZero();
            assertThat(registry.get("denormq.errors").functionCounter().count()).isZero();
            unblock.countDown();
            assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();
            assertThat(registry.get("denormq.handler.lag").tag("handler", "stuck").gauge().value()).isZero();
        }
    }
}
