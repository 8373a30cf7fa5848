package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/**
 * A handler that learns only after {@code onMessage} returned that a message failed for good
 * dead-letters it through {@link HandlerContext#deadLetter}: it is listed, the cursor moves past it,
 * and a redrive delivers it to the handler again.
 */
class LateDeadLetterTest extends QueueTestSupport {

    @Test
    void shouldListAndRedriveAMessageDeadLetteredAfterOnMessageReturned() throws Exception {
        LateFailing handler = new LateFailing();
        DenormQueue queue = open(builder().handler("late", handler));
        queue.publish("t", "k", utf8("ok-1"));
        queue.publish("t", "k", utf8("refused"));
        queue.publish("t", "k", utf8("ok-2"));
        awaitProcessed(queue);

        List<DeadLetter> deadLetters = queue.deadLetters();
        assertThat(deadLetters).singleElement().satisfies(dead -> {
            assertThat(dead.handler()).isEqualTo("late");
            assertThat(new String(dead.payload(), StandardCharsets.UTF_8)).isEqualTo("refused");
            assertThat(dead.topic()).isEqualTo("t");
            assertThat(dead.attempts()).isEqualTo(3);
            assertThat(dead.error()).contains("refused downstream");
        });
        assertThat(handler.problems).isEmpty();

        handler.refuse = false;
        queue.redrive(deadLetters.get(0));
        awaitProcessed(queue);
        assertThat(queue.deadLetters()).isEmpty();
        assertThat(handler.seen).containsExactly("ok-1", "refused", "ok-2", "refused");
    }

    @Test
    void shouldRefuseToDeadLetterAMessageAlreadyAcknowledged() throws Exception {
        LateFailing handler = new LateFailing();
        handler.refuse = false;
        DenormQueue queue = open(builder().handler("late", handler));
        queue.publish("t", "k", utf8("ok-1"));
        awaitProcessed(queue);
        assertThatThrownBy(() -> handler.context.deadLetter(handler.kept.get(0), 1, new IllegalStateException("late")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Accepts every message; at the end of the batch, dead-letters those with payload "refused". */
    private static final class LateFailing implements MessageHandler {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<Message> kept = new ArrayList<>();
        final List<Throwable> problems = new CopyOnWriteArrayList<>();
        volatile boolean refuse = true;
        volatile HandlerContext context;

        @Override
        public void onStart(HandlerContext handlerContext) {
            this.context = handlerContext;
        }

        @Override
        public void onMessage(Message message) {
            String payload = message.payload(Codecs.utf8());
            seen.add(payload);
            kept.add(message.copy());
        }

        @Override
        public void onCaughtUp() {
            try {
                for (Message message : kept) {
                    if (refuse && new String(message.payload(), StandardCharsets.UTF_8).equals("refused")) {
                        context.deadLetter(message, 3, new IllegalStateException("refused downstream"));
                    }
                }
            } catch (RuntimeException e) {
                problems.add(e);
                throw e;
            } finally {
                if (refuse) {
                    kept.clear();
                }
            }
        }
    }
}
