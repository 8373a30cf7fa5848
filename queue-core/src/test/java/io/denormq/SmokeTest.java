package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

class SmokeTest extends QueueTestSupport {
    @Test
    void shouldDeliverCommittedAndNotRolledBack() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().handler("rec", recorder));
        queue.publish("t", "k", utf8("outside"));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8("committed-1"));
            queue.publish("t", "k", utf8("committed-2"));
            tx.commit(() -> { });
        }
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8("rolled-back"));
            tx.rollback();
        }
        awaitProcessed(queue);
        assertThat(recorder.payloads()).containsExactly("outside", "committed-1", "committed-2");
    }
}
