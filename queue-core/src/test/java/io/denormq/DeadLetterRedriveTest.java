package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/** Dead letters redriven to their handler only, or discarded; both journaled. */
class DeadLetterRedriveTest extends QueueTestSupport {
    private volatile boolean broken = true;
    private final List<Seen> totals = new CopyOnWriteArrayList<>();
    private final Recorder audit = new Recorder();

    private DenormQueue openWithPoison() throws Exception {
        DenormQueue queue = open(queueBuilder());
        queue.publish("orders", "c-1", utf8("good"));
        queue.publish("orders", "c-1", utf8("poison"));
        awaitProcessed(queue);
        assertThat(queue.deadLetters()).hasSize(1);
        return queue;
    }

    private DenormQueueBuilder queueBuilder() {
        return builder()
                .handler("totals", message -> {
                    if (broken && message.payload(Codecs.utf8()).equals("poison")) {
                        throw new IllegalStateException("bug in the totals handler");
                    }
                    totals.add(new Seen(message.id(), message.sequence(), message.payload(Codecs.utf8()), message.redelivered()));
                })
                .handler("audit", audit);
    }

    /** What the totals handler saw, copied: a Message is only valid during the call. */
    private record Seen(long id, long sequence, String payload, boolean redelivered) {
    }

    @Test
    void shouldRedriveToTheFailedHandlerOnlyOnceTheBugIsFixed() throws Exception {
        DenormQueue queue = openWithPoison();
        DeadLetter deadLetter = queue.deadLetters().get(0);
        broken = false;
        queue.redrive(deadLetter);
        awaitProcessed(queue);

        assertThat(totals).extracting(Seen::payload).containsExactly("good", "poison");
        Seen redriven = totals.get(1);
        assertThat(redriven.id()).isEqualTo(deadLetter.messageId());
        assertThat(redriven.redelivered()).isTrue();
        assertThat(redriven.sequence()).isGreaterThan(deadLetter.sequence());
        assertThat(audit.payloads()).as("other handlers are not disturbed").containsExactly("good", "poison");
        assertThat(queue.deadLetters()).isEmpty();
        assertThatThrownBy(() -> queue.redrive(deadLetter)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already redriven or discarded");
    }

    @Test
    void shouldDeadLetterAgainWhenTheRedriveFailsToo() throws Exception {
        DenormQueue queue = openWithPoison();
        DeadLetter first = queue.deadLetters().get(0);
        queue.redrive(first);
        awaitProcessed(queue);
        List<DeadLetter> again = queue.deadLetters();
        assertThat(again).hasSize(1);
        assertThat(again.get(0).journalIndex()).isNotEqualTo(first.journalIndex());
        assertThat(again.get(0).messageId()).isEqualTo(first.messageId());
    }

    @Test
    void shouldForgetADiscardedDeadLetterAcrossRestarts() throws Exception {
        DenormQueue queue = openWithPoison();
        queue.discard(queue.deadLetters().get(0));
        assertThat(queue.deadLetters()).isEmpty();
        queue.close();
        broken = false;
        DenormQueue reopened = open(queueBuilder());
        awaitProcessed(reopened);
        assertThat(reopened.deadLetters()).isEmpty();
        assertThat(totals).extracting(Seen::payload).containsExactly("good");
    }

    @Test
    void shouldDeliverARedriveJournaledBeforeAStopAfterTheRestart() throws Exception {
        DenormQueue queue = openWithPoison();
        DeadLetter deadLetter = queue.deadLetters().get(0);
        queue.close();
        // A queue without the totals handler cannot redrive to it: say so, change nothing.
        DenormQueue withoutTotals = open(builder().handler("audit", audit));
        assertThatThrownBy(() -> withoutTotals.redrive(deadLetter)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'totals' is not registered");
        withoutTotals.close();

        broken = false;
        DenormQueue reopened = open(queueBuilder());
        reopened.redrive(reopened.deadLetters().get(0));
        awaitProcessed(reopened);
        assertThat(totals).extracting(Seen::payload).containsExactly("good", "poison");
    }
}
