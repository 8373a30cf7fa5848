package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

/** A handler's read model rebuilt from the journal while the other handlers go on from their cursors. */
class RebuildTest extends QueueTestSupport {
    private final Map<String, Long> sequences = new ConcurrentHashMap<>();

    private void publishFive() throws Exception {
        DenormQueue queue = builder()
                .handler("a", message -> sequences.put(message.payload(Codecs.utf8()), message.sequence()))
                .handler("b", message -> { })
                .build();
        for (int i = 1; i <= 5; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        awaitProcessed(queue);
        queue.close();
    }

    private void restart(DenormQueueBuilder builder, Recorder a, Recorder b) throws Exception {
        DenormQueue queue = open(builder.handler("a", a).handler("b", b).rebuild("a"));
        queue.publish("t", "k", utf8("new"));
        awaitProcessed(queue);
    }

    @Test
    void shouldReplayTheRebuiltHandlerFromTheEarliestEntryOnly() throws Exception {
        publishFive();
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        restart(builder(), a, b);
        assertThat(a.payloads()).containsExactly("m1", "m2", "m3", "m4", "m5", "new");
        assertThat(b.payloads()).containsExactly("new");
    }

    @Test
    void shouldReplayFromASnapshotsSequence() throws Exception {
        publishFive();
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        DenormQueue queue = open(builder().handler("a", a).handler("b", b).rebuildAfter("a", sequences.get("m3")));
        queue.publish("t", "k", utf8("new"));
        awaitProcessed(queue);
        assertThat(a.payloads()).containsExactly("m4", "m5", "new");
        assertThat(b.payloads()).containsExactly("new");
    }

    @Test
    void shouldReplayALargeBacklogAtFullSpeed() throws Exception {
        DenormQueue queue = builder().handler("a", message -> { }).build();
        int messages = 50_000;
        for (int i = 0; i < messages; i++) {
            queue.publish("t", "k", utf8("m"));
        }
        awaitProcessed(queue);
        queue.close();
        long[] count = new long[1];
        DenormQueue rebuilt = open(builder().handler("a", message -> count[0]++).rebuild("a"));
        awaitProcessed(rebuilt);
        assertThat(count[0]).isEqualTo(messages);
    }

    @Test
    void shouldRefuseToRebuildAnUnregisteredHandler() {
        assertThatThrownBy(() -> builder().handler("a", message -> { }).rebuild("typo").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'typo' is not a registered handler").hasMessageContaining("[a]");
    }
}
