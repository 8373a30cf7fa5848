package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

/**
 * A redrive is a new delivery after everything released before it, and says where the message
 * stood: {@link Message#originalSequence()} is the failed delivery's sequence, and its release time
 * is when the redrive was asked for, the same on every re-delivery.
 */
class RedriveOrderTest extends QueueTestSupport {

    @Test
    void shouldTellARedriveItsOriginalPlaceAndKeepItsTimeAcrossReDeliveries() throws Exception {
        Map<String, Message> seen = new ConcurrentHashMap<>();
        DenormQueue queue = open(builder().shutdownTimeout(Duration.ofMillis(300)).handler("h", message -> {
            String payload = message.payload(Codecs.utf8());
            if (payload.equals("old") && message.originalSequence() == message.sequence()) {
                throw new IllegalStateException("fails until redriven");
            }
            seen.put(payload + (message.originalSequence() != message.sequence() ? " redrive" : ""), copy(message));
            if (payload.equals("old")) {
                Thread.sleep(Long.MAX_VALUE); // not acknowledged: delivered again after the restart
            }
        }));
        queue.publish("t", "k", utf8("old"));
        queue.publish("t", "k", utf8("newer"));
        awaitProcessed(queue);
        List<DeadLetter> deadLetters = queue.deadLetters();
        assertThat(deadLetters).hasSize(1);
        queue.redrive(deadLetters.get(0));
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!seen.containsKey("old redrive") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        queue.close();
        Message redrive = seen.get("old redrive");
        Message newer = seen.get("newer");
        assertThat(redrive).isNotNull();
        assertThat(redrive.originalSequence()).isEqualTo(deadLetters.get(0).sequence()).isLessThan(newer.sequence());
        assertThat(redrive.sequence()).isGreaterThan(newer.sequence());
        assertThat(newer.originalSequence()).isEqualTo(newer.sequence());

        Map<String, Message> again = new ConcurrentHashMap<>();
        DenormQueue restarted = open(builder().handler("h", message ->
                again.put(message.payload(Codecs.utf8()) + (message.originalSequence() != message.sequence() ? " redrive" : ""),
                        copy(message))));
        awaitProcessed(restarted);
        Message redelivered = again.get("old redrive");
        assertThat(redelivered).isNotNull();
        assertThat(redelivered.sequence()).isEqualTo(redrive.sequence());
        assertThat(redelivered.originalSequence()).isEqualTo(redrive.originalSequence());
        assertThat(redelivered.releasedAtMillis()).as("release time of a re-delivered redrive").isEqualTo(redrive.releasedAtMillis());
    }

    private static Message copy(Message message) {
        return new Copy(message.id(), message.sequence(), message.originalSequence(), message.releasedAtMillis());
    }

    private record Copy(long id, long sequence, long originalSequence, long releasedAtMillis) implements Message {
        @Override
        public String topic() {
            return "t";
        }

        @Override
        public String key() {
            return "k";
        }

        @Override
        public byte[] payload() {
            return new byte[0];
        }

        @Override
        public int payloadLength() {
            return 0;
        }

        @Override
        public <T> T payload(Codec<T> codec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean redelivered() {
            return true;
        }
    }
}
