package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Busy-spinning dispatch threads deliver the same messages in the same order, and stop on close. */
class IdleModeTest extends QueueTestSupport {

    @Test
    void shouldDeliverInOrderAndStopWhenBusySpinning() throws Exception {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        DenormQueue queue = open(builder().idleMode(IdleMode.BUSY_SPIN).handler("a", first).handler("b", second));
        for (int i = 0; i < 5_000; i++) {
            queue.publish("t", "k", utf8(Integer.toString(i)));
        }
        awaitProcessed(queue);
        List<String> expected = java.util.stream.IntStream.range(0, 5_000).mapToObj(Integer::toString).toList();
        assertThat(first.payloads()).isEqualTo(expected);
        assertThat(second.payloads()).isEqualTo(expected);
        queue.close(); // the base class then checks that no denormq thread is left spinning
    }
}
