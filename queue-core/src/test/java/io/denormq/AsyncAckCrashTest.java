package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * kill -9 of a process whose {@link AsyncMessageHandler} acknowledged every message but one, out of
 * order and from another thread: after the restart the handler is delivered exactly the messages
 * from the one it never acknowledged on (those after it were acknowledged, but the cursor must not
 * pass the gap), and none before it.
 */
class AsyncAckCrashTest extends QueueTestSupport {

    @Test
    void shouldRedeliverFromTheFirstUnacknowledgedMessageAfterKill9() throws Exception {
        int count = 300;
        int held = 120;
        try (ChildJvm child = ChildJvm.start(AsyncAckCrashChild.class, journalDir.toString(), Integer.toString(count),
                Integer.toString(held))) {
            child.awaitReady(90);
            child.kill9();
        }
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().handler("async", recorder));
        awaitProcessed(queue);
        List<String> expected = IntStream.range(held, count).mapToObj(Integer::toString).toList();
        assertThat(recorder.payloads()).containsExactlyElementsOf(expected);
        assertThat(recorder.redelivered).containsOnly(true);
    }
}
