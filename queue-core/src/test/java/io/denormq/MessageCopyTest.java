package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/** {@link Message#copy()} keeps everything a handler saw, after {@code onMessage} returned. */
class MessageCopyTest extends QueueTestSupport {

    /** What a handler read from the message during {@code onMessage}. */
    private record Seen(long id, long sequence, long originalSequence, String topic, String key, String payload,
                        long releasedAtMillis, boolean redelivered) {
        static Seen of(Message message) {
            return new Seen(message.id(), message.sequence(), message.originalSequence(), message.topic(),
                    message.key(), message.payload(Codecs.utf8()),
                    message.releasedAtMillis(), message.redelivered());
        }
    }

    @Test
    void shouldKeepEveryFieldAndThePayloadPastOnMessage() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        List<Message> copies = new CopyOnWriteArrayList<>();
        DenormQueue queue = open(builder().handler("h", message -> {
            seen.add(Seen.of(message));
            copies.add(message.copy());
        }));
        queue.publish("orders", "c-1", utf8("first"));
        queue.publish("invoices", null, utf8("second, a longer payload"));
        awaitProcessed(queue);

        assertThat(copies).hasSize(2);
        assertThat(copies).extracting(Seen::of).containsExactlyElementsOf(seen);
        Message copy = copies.get(0);
        copy.payload()[0] = 'X';
        assertThat(copy.payload(Codecs.utf8())).as("payload() hands out a copy").isEqualTo("first");
        assertThat(copy.payloadLength()).isEqualTo(5);
        assertThat(copy.copy()).as("a copy is already one").isSameAs(copy);
        assertThat(copy.toString()).contains("topic=orders", "key=c-1");
    }
}
