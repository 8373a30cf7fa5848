package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/**
 * {@link MessageHandler#onCaughtUp()} gates acknowledgement; {@link MessageHandler#onRebuild(long)}
 * precedes a rebuild.
 */
class HandlerCallbacksTest extends QueueTestSupport {

    /** Defers its work until onCaughtUp, which can be made to fail. */
    private static final class DeferringHandler implements MessageHandler {
        final List<String> pending = new CopyOnWriteArrayList<>();
        final List<String> durable = new CopyOnWriteArrayList<>();
        volatile boolean failToCatchUp;
        volatile long rebuiltAfter = Long.MIN_VALUE;

        @Override
        public void onMessage(Message message) {
            pending.add(message.payload(Codecs.utf8()));
        }

        @Override
        public void onCaughtUp() {
            if (failToCatchUp) {
                throw new IllegalStateException("database unavailable");
            }
            durable.addAll(pending);
            pending.clear();
        }

        @Override
        public void onRebuild(long afterSequence) {
            rebuiltAfter = afterSequence;
        }
    }

    private void publish(DenormQueue queue, String... payloads) {
        for (String payload : payloads) {
            queue.publish("t", "k", utf8(payload));
        }
    }

    @Test
    void shouldAcknowledgeOnlyWhatTheHandlerMadeDurable() throws Exception {
        DeferringHandler handler = new DeferringHandler();
        DenormQueue queue = builder().handler("h", handler).build();
        publish(queue, "a", "b");
        awaitProcessed(queue);
        assertThat(handler.durable).containsExactly("a", "b");

        handler.failToCatchUp = true;
        publish(queue, "c", "d");
        awaitProcessed(queue);
        queue.close();
        assertThat(handler.durable).containsExactly("a", "b");

        DeferringHandler afterRestart = new DeferringHandler();
        DenormQueue reopened = open(builder().handler("h", afterRestart));
        awaitProcessed(reopened);
        assertThat(afterRestart.durable).as("not acknowledged, so delivered again").containsExactly("c", "d");
    }

    @Test
    void shouldTellTheHandlerBeforeARebuildAndRefuseToStartIfItCannotPrepare() throws Exception {
        DenormQueue first = builder().handler("h", new DeferringHandler()).build();
        publish(first, "a");
        awaitProcessed(first);
        long cursor = first.cursors().get("h");
        first.close();

        MessageHandler refusing = new MessageHandler() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onRebuild(long afterSequence) {
                throw new IllegalStateException("cannot truncate the read model");
            }
        };
        assertThatThrownBy(() -> builder().handler("h", refusing).rebuild("h").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("Handler 'h' failed to prepare its rebuild")
                .hasMessageContaining("cannot truncate the read model");

        DeferringHandler rebuilt = new DeferringHandler();
        DenormQueue second = open(builder().handler("h", rebuilt).rebuild("h"));
        awaitProcessed(second);
        assertThat(rebuilt.rebuiltAfter).isEqualTo(-1);
        assertThat(rebuilt.durable).containsExactly("a");
        assertThat(second.cursors().get("h")).isEqualTo(cursor);
    }
}
