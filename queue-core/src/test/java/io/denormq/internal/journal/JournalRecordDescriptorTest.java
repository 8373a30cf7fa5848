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
        assertThat(batch[VERSION_OFFSET]).isEqualTo(VERSION_PLAIN);
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

    /**
     * A batch without headers must be the version-1 layout byte for byte, so that journals written
     * before headers existed and journals without headers read the same in both versions: built here
     * by hand from the version-1 diagram, not through the code under test.
     */
    @Test
    void shouldWriteABatchWithoutHeadersInTheVersionOneLayoutByteForByte() {
        byte[] written = batch(KIND_RELEASED_BATCH, 0x0102030405060708L);
        ByteBuffer v1 = ByteBuffer.allocate(written.length).order(ByteOrder.LITTLE_ENDIAN);
        v1.put((byte) 3).put((byte) 1).putShort((short) 0).putLong(0x0102030405060708L).putInt(3);
        v1.putInt(6).put(utf8("orders")).putInt(3).put(utf8("c-1")).putInt(5).put(utf8("first"));
        v1.putInt(6).put(utf8("orders")).putInt(-1).putInt(6).put(utf8("second"));
        v1.putInt(6).put(utf8("kunden")).putInt(7).put(utf8("Müller")).putInt(0);
        assertThat(v1.remaining()).isZero();
        assertThat(written).isEqualTo(v1.array());
    }

    @Test
    void shouldReadHeadersOfTheMessagesThatHaveThemInAMixedBatch() {
        RecordBuffer buffer = new RecordBuffer(1 << 20);
        buffer.addMessage(utf8("orders"), "c-1", utf8("plain"), 0, 5);
        buffer.addMessage(utf8("orders"), null, utf8("traced"), 0, 6,
                io.denormq.Headers.of("traceparent", "00-abc-def-01").with("Grüße", "wert-ü"));
        buffer.addMessage(utf8("kunden"), "k", utf8("empty headers"), 0, 13, io.denormq.Headers.empty());
        buffer.sealBatch(KIND_BATCH, 5L);
        byte[] batch = Arrays.copyOf(buffer.array(), buffer.length());
        assertThat(batch[VERSION_OFFSET]).isEqualTo(VERSION_HEADERS);

        MessageView view = new MessageView();
        int first = MESSAGES_OFFSET;
        int second = view.wrap(batch, first, 1, 1, 0, false);
        assertThat(second).isEqualTo(skipMessage(batch, first));
        assertThat(view.header("traceparent")).isNull();
        assertThat(view.headers().isEmpty()).isTrue();
        assertThat(view.hasHeaderBlock()).isFalse();

        int third = view.wrap(batch, second, 2, 2, 0, false);
        assertThat(third).isEqualTo(skipMessage(batch, second));
        assertThat(view.topic()).isEqualTo("orders");
        assertThat(view.key()).isNull();
        assertThat(view.payload()).isEqualTo(utf8("traced"));
        assertThat(view.header("traceparent")).isEqualTo("00-abc-def-01");
        assertThat(view.header("Grüße")).isEqualTo("wert-ü");
        assertThat(view.header("traceparenT")).isNull();
        assertThat(view.header("trace")).isNull();
        assertThat(view.headers()).isEqualTo(io.denormq.Headers.of("traceparent", "00-abc-def-01").with("Grüße", "wert-ü"));

        int end = view.wrap(batch, third, 3, 3, 0, false);
        assertThat(view.topic()).isEqualTo("kunden");
        assertThat(view.key()).isEqualTo("k");
        assertThat(view.hasHeaderBlock()).as("empty headers are no headers").isFalse();
        assertThat(end).isEqualTo(batch.length);
    }

    @Test
    void shouldKeepTheHeaderBlockInADeadLetterAndMarkItsRecordVersionTwo() {
        RecordBuffer buffer = new RecordBuffer(1 << 20);
        buffer.addMessage(utf8("orders"), "c-1", utf8("traced"), 0, 6, io.denormq.Headers.of("traceparent", "tp"));
        buffer.sealBatch(KIND_RELEASED_BATCH, 5L);
        byte[] batch = Arrays.copyOf(buffer.array(), buffer.length());
        JournalFormat.checkOrCreate(directory, true);
        try (JournalLock lock = JournalLock.acquire(directory); Journal journal = Journal.open(directory, false)) {
            MessageView view = new MessageView();
            view.wrap(batch, MESSAGES_OFFSET, compose(3, 0), compose(2, 0), 7, false);
            long index = DeadLetterRecords.append(journal, "totals", 0, view, 3, new IllegalStateException("boom"));
            try (var tailer = journal.createTailer()) {
                DeadLetterRecords.Located located = DeadLetterRecords.readAt(journal, tailer, index);
                assertThat(located.record()[VERSION_OFFSET]).isEqualTo(VERSION_HEADERS);
                assertThat(skipMessage(located.record(), located.messageOffset())).isEqualTo(located.record().length);
            }
            assertThat(DeadLetterRecords.readAll(journal).get(0).headers().get("traceparent")).isEqualTo("tp");
            long fromCopy = DeadLetterRecords.append(journal, "audit", 0, view.copy(), 3, new IllegalStateException("x"));
            assertThat(DeadLetterRecords.readAll(journal)).filteredOn(d -> d.journalIndex() == fromCopy).singleElement()
                    .extracting(d -> d.headers().get("traceparent")).isEqualTo("tp");
        }
    }

    @Test
    void shouldRaiseTheFormatMarkerOnceAndStillRefuseUnknownVersions() throws Exception {
        JournalFormat.checkOrCreate(directory, true);
        Path marker = directory.resolve(JournalFormat.FILE_NAME);
        assertThat(java.nio.file.Files.readString(marker).trim()).as("a new journal is readable by older versions")
                .isEqualTo("denormq-journal-format=1");
        assertThat(JournalFormat.version(directory)).isEqualTo(1);
        JournalFormat.allowHeaders(directory);
        assertThat(java.nio.file.Files.readString(marker).trim()).isEqualTo("denormq-journal-format=2");
        assertThat(JournalFormat.version(directory)).isEqualTo(2);
        JournalFormat.allowHeaders(directory);
        JournalFormat.checkOrCreate(directory, true);
        assertThat(JournalFormat.version(directory)).isEqualTo(2);
        JournalFormat.allowReleases(directory);
        assertThat(java.nio.file.Files.readString(marker).trim()).isEqualTo("denormq-journal-format=3");
        JournalFormat.allowHeaders(directory);
        assertThat(JournalFormat.version(directory)).as("never lowered").isEqualTo(3);
        java.nio.file.Files.writeString(marker, "denormq-journal-format=4\n");
        assertThatThrownBy(() -> JournalFormat.checkOrCreate(directory, true))
                .isInstanceOf(IncompatibleJournalException.class)
                .hasMessageContaining("denormq-journal-format=4").hasMessageContaining("denormq-journal-format=3");
    }
}
