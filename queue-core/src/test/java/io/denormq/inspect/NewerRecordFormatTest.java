package io.denormq.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import io.denormq.DenormQueue;
import io.denormq.IncompatibleJournalException;
import io.denormq.QueueTestSupport;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalLock;
import io.denormq.internal.journal.JournalRecordDescriptor;
import io.denormq.internal.journal.RecordBuffer;
import org.junit.jupiter.api.Test;

/** A record written by a newer denormq is refused, naming it, by the queue's start and by inspection: never skipped. */
class NewerRecordFormatTest extends QueueTestSupport {
    @Test
    void shouldRefuseToStartOrInspectAJournalHoldingARecordOfANewerFormat() throws Exception {
        DenormQueue queue = open(builder().handler("h", message -> { }));
        queue.publish("t", "k", utf8("old"));
        awaitProcessed(queue);
        queue.close();

        long newer;
        try (JournalLock lock = JournalLock.acquire(journalDir); Journal journal = Journal.open(journalDir, false)) {
            RecordBuffer record = new RecordBuffer(1024);
            record.addMessage(utf8("t"), "k", utf8("from the future"), 0, 15);
            record.sealBatch(JournalRecordDescriptor.KIND_RELEASED_BATCH, System.currentTimeMillis());
            byte[] bytes = Arrays.copyOf(record.array(), record.length());
            bytes[JournalRecordDescriptor.VERSION_OFFSET] = JournalRecordDescriptor.FORMAT_VERSION + 1;
            newer = journal.append(bytes, bytes.length);
            journal.forceAll();
        }
        String named = "RELEASED_BATCH record at index " + Long.toHexString(newer);

        try (JournalInspector inspector = JournalInspector.open(journalDir)) {
            assertThatThrownBy(() -> inspector.messages(-1, message -> true))
                    .isInstanceOf(IncompatibleJournalException.class).hasMessageContaining(named)
                    .hasMessageContaining("Upgrade denormq");
            assertThatThrownBy(inspector::summary).isInstanceOf(IncompatibleJournalException.class);
        }
        assertThatThrownBy(() -> builder().handler("h", message -> { }).build())
                .isInstanceOf(IncompatibleJournalException.class).hasMessageContaining(named);
        try (JournalInspector inspector = JournalInspector.open(journalDir)) {
            assertThat(inspector.lockHolder()).as("the refused start released the journal").isEmpty();
        }
    }
}
