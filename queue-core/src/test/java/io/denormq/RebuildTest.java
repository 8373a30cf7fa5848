package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.denormq.internal.journal.CheckpointDescriptor;

import org.junit.jupiter.api.Test;

/**
 * A handler's read model rebuilt from the journal while the other handlers go on from their cursors;
 * a dead letter that was redriven is replayed once, at its original place.
 */
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

    /**
     * The README's read model: a total per key that applies a message only if its sequence is above
     * the last one applied to that key, and empties itself for a rebuild.
     */
    private static final class LastAppliedTotals implements MessageHandler {
        final Map<String, long[]> rows = new ConcurrentHashMap<>(); // key -> {total, last sequence}
        final List<String> applied = new CopyOnWriteArrayList<>();
        volatile String poison;

        @Override
        public void onMessage(Message message) {
            String amount = message.payload(Codecs.utf8());
            if (amount.equals(poison)) {
                throw new IllegalStateException("bug in the totals handler");
            }
            long[] row = rows.computeIfAbsent(message.key(), k -> new long[] {0, Long.MIN_VALUE});
            if (message.sequence() > row[1]) {
                row[0] += Long.parseLong(amount);
                row[1] = message.sequence();
                applied.add(amount);
            }
        }

        @Override
        public void onRebuild(long afterSequence) {
            rows.clear();
            applied.clear();
        }

        long total(String key) {
            return rows.get(key)[0];
        }
    }

    /** Publishes the amounts to one key with the handler failing on {@code poison}, then redrives it once fixed. */
    private DeadLetter publishDeadLetterAndRedrive(LastAppliedTotals totals, String poison, String... amounts)
            throws Exception {
        totals.poison = poison;
        DenormQueue queue = open(builder().handler("totals", totals));
        for (String amount : amounts) {
            queue.publish("t", "customer-42", utf8(amount));
        }
        awaitProcessed(queue);
        assertThat(queue.deadLetters()).hasSize(1);
        DeadLetter deadLetter = queue.deadLetters().get(0);
        totals.poison = null;
        queue.redrive(deadLetter);
        awaitProcessed(queue);
        queue.close();
        return deadLetter;
    }

    @Test
    void shouldApplyARedrivenDeadLetterOnceInARebuild() throws Exception {
        LastAppliedTotals totals = new LastAppliedTotals();
        publishDeadLetterAndRedrive(totals, "10", "5", "10");
        assertThat(totals.total("customer-42")).isEqualTo(15);

        LastAppliedTotals rebuilt = new LastAppliedTotals();
        awaitProcessed(open(builder().handler("totals", rebuilt).rebuild("totals")));
        assertThat(rebuilt.total("customer-42")).isEqualTo(15);
        assertThat(rebuilt.applied).containsExactly("5", "10");
    }

    @Test
    void shouldReplayARedrivenDeadLetterAtItsOriginalPlaceInItsKeysOrder() throws Exception {
        LastAppliedTotals totals = new LastAppliedTotals();
        publishDeadLetterAndRedrive(totals, "10", "5", "10", "1");
        assertThat(totals.applied).as("live, the redrive came after the key's later message")
                .containsExactly("5", "1", "10");

        Recorder rebuilt = new Recorder();
        awaitProcessed(open(builder().handler("totals", rebuilt).rebuild("totals")));
        assertThat(rebuilt.payloads()).containsExactly("5", "10", "1");
        assertThat(rebuilt.sequences).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void shouldDeliverTheRedriveWhenTheSnapshotAlreadyHadTheFailedMessage() throws Exception {
        LastAppliedTotals totals = new LastAppliedTotals();
        DeadLetter deadLetter = publishDeadLetterAndRedrive(totals, "10", "5", "10");

        // a snapshot taken after the failure holds 5 but not 10: the redrive is what brings 10
        Recorder rebuilt = new Recorder();
        awaitProcessed(open(builder().handler("totals", rebuilt).rebuildAfter("totals", deadLetter.sequence())));
        assertThat(rebuilt.payloads()).containsExactly("10");
        assertThat(rebuilt.ids).containsExactly(deadLetter.messageId());
    }

    @Test
    void shouldDeadLetterAgainAndSkipTheOldRedriveWhenTheMessageStillFailsInTheRebuild() throws Exception {
        LastAppliedTotals totals = new LastAppliedTotals();
        DeadLetter first = publishDeadLetterAndRedrive(totals, "10", "5", "10");

        LastAppliedTotals rebuilt = new LastAppliedTotals();
        rebuilt.poison = "10"; // the fix was lost
        DenormQueue queue = open(builder().handler("totals", rebuilt).rebuild("totals"));
        awaitProcessed(queue);
        assertThat(rebuilt.applied).containsExactly("5");
        assertThat(queue.deadLetters()).hasSize(1);
        assertThat(queue.deadLetters().get(0).messageId()).isEqualTo(first.messageId());
        assertThat(queue.deadLetters().get(0).journalIndex()).isNotEqualTo(first.journalIndex());
    }

    @Test
    void shouldStillDeliverRedrivesWhenCursorsAreLostWithoutARebuild() throws Exception {
        LastAppliedTotals totals = new LastAppliedTotals();
        publishDeadLetterAndRedrive(totals, "10", "5", "10");
        Files.delete(journalDir.resolve(CheckpointDescriptor.FILE_NAME));

        // not a rebuild: the read model was kept, so the original is skipped by its sequence and the
        // redrive, with its newer sequence, is what the replay must not lose
        Recorder replayed = new Recorder();
        awaitProcessed(open(builder().handler("totals", replayed)));
        assertThat(replayed.payloads()).containsExactly("5", "10", "10");
    }
}
