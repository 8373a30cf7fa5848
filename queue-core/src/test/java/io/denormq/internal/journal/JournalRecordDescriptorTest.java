package io.denormq.internal.journal;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import io.denormq.DeadLetter;
import io.denormq.IncompatibleJournalException;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each record layout written and read back through the descriptor's functions, in its byte order. */
class JournalRecordDescriptorTest {
    @TempDir
    Path directory;

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] batch(byte kind, long timestamp) {
        RecordBuffer buffer = new RecordBuffer(1 << 20);
        buffer.addMessage(utf8("orders"), "c-1", utf8("first"), 0, 5);
        buffer.addMessage(utf8("orders"), null, utf8("xsecondx"), 1, 6);
        buffer.addMessage(utf8("kunden"), "Müller", new byte[0], 0, 0);
        buffer.sealBatch(kind, timestamp);
        return Arrays.copyOf(buffer.array(), buffer.length());
    }

    @Test
    void shouldReadBackABatchMessageByMessage() {
        byte[] batch = batch(KIND_BATCH, 1234567L);
        assertThat(batch[KIND_OFFSET]).isEqualTo(KIND_BATCH);
        assertThat(batch[VERSION_OFFSET]).isEqualTo(FORMAT_VERSION);
        assertThat(timestampOf(batch)).isEqualTo(1234567L);
        assertThat(messageCountOf(batch)).isEqualTo(3);

        MessageView view = new MessageView();
        int offset = MESSAGES_OFFSET;
        String[][] expected = {{"orders", "c-1", "first"}, {"orders", null, "second"}, {"kunden", "Müller", ""}};
        for (int ordinal = 0; ordinal < 3; ordinal++) {
            int end = view.wrap(batch, offset, compose(7, ordinal), compose(5, ordinal), 99, false);
            assertThat(end).isEqualTo(skipMessage(batch, offset));
            assertThat(view.topic()).isEqualTo(expected[ordinal][0]);
            assertThat(view.key()).isEqualTo(expected[ordinal][1]);
            assertThat(new String(view.payload(), StandardCharsets.UTF_8)).isEqualTo(expected[ordinal][2]);
            assertThat(view.sequence()).isEqualTo(compose(7, ordinal));
            assertThat(view.id()).isEqualTo(compose(5, ordinal));
            assertThat(view.messageOffset()).isEqualTo(offset);
            assertThat(end - offset).isEqualTo(messageLength(utf8(expected[ordinal][0]).length,
                    expected[ordinal][1] == null ? 0 : utf8(expected[ordinal][1]).length,
                    utf8(expected[ordinal][2]).length));
            byte[] key = expected[ordinal][1] == null ? null : utf8(expected[ordinal][1]);
            assertThat(keyHash(batch, offset)).isEqualTo(key == null ? 0 : keyHash(key, 0, key.length));
            offset = end;
        }
        assertThat(offset).as("the messages fill the record").isEqualTo(batch.length);
    }

    @Test
    void shouldReadBackAnOutcome() {
        RecordBuffer buffer = new RecordBuffer(OUTCOME_LENGTH);
        buffer.outcome(KIND_ROLLBACK, 0x1234_5678_9abcL, REASON_ROLLED_BACK, 42L);
        byte[] record = Arrays.copyOf(buffer.array(), buffer.length());
        assertThat(record).hasSize(OUTCOME_LENGTH);
        assertThat(record[KIND_OFFSET]).isEqualTo(KIND_ROLLBACK);
        assertThat(batchIndexOf(record)).isEqualTo(0x1234_5678_9abcL);
        assertThat(record[REASON_OFFSET]).isEqualTo(REASON_ROLLED_BACK);
        assertThat(timestampOf(record)).isEqualTo(42L);
    }

    @Test
    void shouldReadNumbersInTheDescriptorsByteOrder() {
        assertThat(BYTE_ORDER).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        byte[] bytes = new byte[16];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x01020304).putLong(4, 0x05060708090a0b0cL);
        assertThat(bytes[0]).as("little-endian on the disk").isEqualTo((byte) 0x04);
        assertThat(getInt(bytes, 0)).isEqualTo(0x01020304);
        assertThat(getLong(bytes, 4)).isEqualTo(0x05060708090a0b0cL);
        ExpandableArrayBuffer written = new ExpandableArrayBuffer(16);
        assertThat(putLengthPrefixed(written, 2, utf8("héllo"))).isEqualTo(2 + LENGTH_PREFIX + 6);
        assertThat(readString(written.byteArray(), 2)).isEqualTo("héllo");
    }

    @Test
    void shouldRefuseARecordOfANewerVersionNamingItsIndexAndVersion() {
        byte[] record = batch(KIND_BATCH, 1);
        checkVersion(record, 0x51, directory); // this version: accepted
        record[VERSION_OFFSET] = (byte) (FORMAT_VERSION + 1);
        assertThatThrownBy(() -> checkVersion(record, 0x51, directory))
                .isInstanceOf(IncompatibleJournalException.class)
                .hasMessageContaining(directory.toString()).hasMessageContaining("BATCH record at index 51")
                .hasMessageContaining("format version " + (FORMAT_VERSION + 1)).hasMessageContaining("Upgrade denormq");
        record[VERSION_OFFSET] = (byte) 0xff;
        assertThatThrownBy(() -> checkVersion(record, 0x51, directory))
                .as("the version byte is unsigned").hasMessageContaining("format version 255");
    }

    @Test
    void shouldWriteAndReadBackDeadLettersAndTheirSettlements() {
        JournalFormat.checkOrCreate(directory, true);
        try (JournalLock lock = JournalLock.acquire(directory); Journal journal = Journal.open(directory, false)) {
            byte[] batch = batch(KIND_RELEASED_BATCH, 77);
            MessageView view = new MessageView();
            int second = skipMessage(batch, MESSAGES_OFFSET);
            view.wrap(batch, second, compose(9, 1), compose(9, 1), 77, false);
            long fromView = DeadLetterRecords.append(journal, "totals", 2, view, 3, new IllegalStateException("boom"));
            view.wrap(batch, skipMessage(batch, second), compose(9, 2), compose(8, 2), 77, false);
            long fromCopy = DeadLetterRecords.append(journal, "audit", 0, view.copy(), 1, new RuntimeException("bang"));

            List<DeadLetter> listed = DeadLetterRecords.readAll(journal);
            assertThat(listed).hasSize(2);
            DeadLetter first = listed.get(0);
            assertThat(first.journalIndex()).isEqualTo(fromView);
            assertThat(first.handler()).isEqualTo("totals");
            assertThat(first.attempts()).isEqualTo(3);
            assertThat(first.sequence()).isEqualTo(compose(9, 1));
            assertThat(first.topic()).isEqualTo("orders");
            assertThat(first.key()).isNull();
            assertThat(first.payload()).isEqualTo(utf8("second"));
            assertThat(first.error()).startsWith("java.lang.IllegalStateException: boom");
            DeadLetter copied = listed.get(1);
            assertThat(copied.handler()).isEqualTo("audit");
            assertThat(copied.messageId()).isEqualTo(compose(8, 2));
            assertThat(copied.key()).isEqualTo("Müller");
            assertThat(copied.payload()).isEmpty();

            try (var tailer = journal.createTailer()) {
                DeadLetterRecords.Located located = DeadLetterRecords.readAt(journal, tailer, fromView);
                assertThat(located.handler()).isEqualTo("totals");
                assertThat(located.failedSequence()).isEqualTo(compose(9, 1));
                assertThat(located.messageId()).isEqualTo(compose(9, 1));
                assertThat(skipMessage(located.record(), located.messageOffset())).isEqualTo(located.record().length);
                assertThat(DeadLetterRecords.readAt(journal, tailer, fromView + 100)).isNull();
            }

            assertThat(DeadLetterRecords.settleUnsettled(journal, fromView, SETTLED_DISCARDED,
                    index -> new IllegalArgumentException("none at " + index))).isEqualTo(first);
            assertThat(DeadLetterRecords.readAll(journal)).containsExactly(copied);
            assertThatThrownBy(() -> DeadLetterRecords.settleUnsettled(journal, fromView, SETTLED_REDRIVEN,
                    index -> new IllegalArgumentException("none at " + index))).hasMessage("none at " + fromView);
        }
    }
}
