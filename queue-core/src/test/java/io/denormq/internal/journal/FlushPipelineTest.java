package io.denormq.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of flushes that run at the same time: a record counts as durable only once its
 * flush and every flush started before it succeeded, and a failed flush keeps every flush started
 * before its failure from counting.
 */
class FlushPipelineTest {
    private final FlushPipeline pipeline = new FlushPipeline();

    @Test
    void shouldNotCountALaterFlushUntilTheEarlierOneEnded() {
        FlushPipeline.Flush first = pipeline.start(10, false);
        FlushPipeline.Flush second = pipeline.start(20, false);

        pipeline.finished(second, true);
        assertThat(pipeline.durableUpTo()).as("the later flush ended first").isEqualTo(-1);
        assertThat(second.retired).isFalse();

        pipeline.finished(first, true);
        assertThat(pipeline.durableUpTo()).isEqualTo(20);
        assertThat(first.retired && second.retired).isTrue();
        assertThat(first.madeDurable() && second.madeDurable()).isTrue();
    }

    @Test
    void shouldCountNothingOfTheFlushesInFlightWhenOneFails() {
        FlushPipeline.Flush first = pipeline.start(10, false);
        pipeline.finished(first, true);
        FlushPipeline.Flush failing = pipeline.start(20, false);
        FlushPipeline.Flush inFlight = pipeline.start(30, false);

        pipeline.finished(inFlight, true);
        pipeline.finished(failing, false);
        assertThat(pipeline.durableUpTo()).as("neither the failed flush nor the one after it counts").isEqualTo(10);
        assertThat(inFlight.madeDurable()).isFalse();

        FlushPipeline.Flush redo = pipeline.start(30, false);
        pipeline.finished(redo, true);
        assertThat(pipeline.durableUpTo()).as("a flush started after the failure redoes it").isEqualTo(30);
    }

    @Test
    void shouldTellOneCommitterToFlushAndTheOthersToWait() throws Exception {
        assertThat(pipeline.awaitDurable(5, 2)).as("nothing in flight: flush").isFalse();
        FlushPipeline.Flush flush = pipeline.start(7, true);

        CompletableFuture<Boolean> covered = CompletableFuture.supplyAsync(() -> pipeline.awaitDurable(6, 2));
        Thread.sleep(100);
        assertThat(covered).as("a committer whose record the running flush covers waits for it").isNotDone();
        assertThat(pipeline.awaitDurable(9, 2)).as("a record after the running flush's: start another").isFalse();
        FlushPipeline.Flush next = pipeline.start(9, true);
        CompletableFuture<Boolean> third = CompletableFuture.supplyAsync(() -> pipeline.awaitDurable(11, 2));
        Thread.sleep(100);
        assertThat(third).as("two flushes in flight: wait for one to end").isNotDone();

        pipeline.finished(flush, true);
        assertThat(covered.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(third.get(5, TimeUnit.SECONDS)).as("a flush ended: the third may start one").isFalse();
        pipeline.finished(next, true);
        assertThat(pipeline.durableUpTo()).isEqualTo(9);
        assertThat(pipeline.awaitDurable(9, 2)).isTrue();
    }

    @Test
    void shouldLetAnotherCommitterFlushWhenTheFlushItWaitedOnFailed() throws Exception {
        assertThat(pipeline.awaitDurable(5, 2)).isFalse();
        FlushPipeline.Flush flush = pipeline.start(5, true);
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> pipeline.awaitDurable(5, 2));
        Thread.sleep(100);
        assertThat(waiter).isNotDone();

        pipeline.finished(flush, false);
        assertThat(waiter.get(5, TimeUnit.SECONDS)).as("its flush failed: it starts the next").isFalse();
    }

    @Test
    void shouldNotMakeACommitterWaitForAFlushThatDoesNotCoverIt() throws Exception {
        FlushPipeline.Flush readers = pipeline.start(3, false); // a reader's or the periodic flusher's
        CompletableFuture<Boolean> committer = CompletableFuture.supplyAsync(() -> pipeline.awaitDurable(4, 1));
        assertThat(committer.get(5, TimeUnit.SECONDS))
                .as("the running flush does not cover record 4 and no committer's runs: flush at once").isFalse();
        FlushPipeline.Flush committers = pipeline.start(4, true);
        pipeline.finished(committers, true);
        assertThat(pipeline.durableUpTo()).as("the earlier flush has not ended").isEqualTo(-1);
        pipeline.finished(readers, true);
        assertThat(pipeline.awaitDurable(4, 1)).isTrue();
    }
}
