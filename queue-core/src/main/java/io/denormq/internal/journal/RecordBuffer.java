package io.denormq.internal.journal;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import java.nio.charset.StandardCharsets;

import io.denormq.Headers;
import io.denormq.InvalidMessageException;
import org.agrona.ExpandableArrayBuffer;

/**
 * Builds one journal record in memory, ready for {@link Journal#append(byte[], int)}. A batch is
 * built message by message on the publishing thread with no I/O; the buffer is reused, so after
 * warm-up building a record allocates nothing for ASCII keys. Not thread-safe.
 */
public final class RecordBuffer {
    private static final int INITIAL_CAPACITY = 512;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(INITIAL_CAPACITY);
    private final int maxRecordBytes;
    private int length;
    private int count;
    /** {@link JournalRecordDescriptor#VERSION_HEADERS} once a message with headers was added, else VERSION_PLAIN. */
    private byte version;

    /**
     * @param maxRecordBytes the largest record this buffer may build
     */
    public RecordBuffer(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
        startBatch();
    }

    /** Empties the buffer for a new batch. */
    public void startBatch() {
        length = MESSAGES_OFFSET;
        count = 0;
        version = VERSION_PLAIN;
    }

    /** @return whether a message of the batch carries headers (the record is then written as version 2) */
    public boolean hasHeaders() {
        return version == VERSION_HEADERS;
    }

    /** @return how many messages the batch holds */
    public int count() {
        return count;
    }

    /**
     * Adds a message to the batch. Either the whole message is added or, if it breaks a limit,
     * nothing is and the batch is as it was.
     *
     * @param topic         UTF-8 encoded topic
     * @param key           the key, or null
     * @param payload       the payload's array
     * @param payloadOffset where the payload starts
     * @param payloadLength the payload's length
     * @throws InvalidMessageException if the transaction would exceed its message or byte limits
     */
    public void addMessage(byte[] topic, String key, byte[] payload, int payloadOffset, int payloadLength) {
        addMessage(topic, key, payload, payloadOffset, payloadLength, null);
    }

    /**
     * Adds a message with headers to the batch: as {@link #addMessage(byte[], String, byte[], int, int)},
     * with a header block after the payload when {@code headers} holds any (see
     * {@link JournalRecordDescriptor}); null or empty headers add exactly what that method adds.
     *
     * @param topic         UTF-8 encoded topic
     * @param key           the key, or null
     * @param payload       the payload's array
     * @param payloadOffset where the payload starts
     * @param payloadLength the payload's length
     * @param headers       the message's headers, or null
     * @throws InvalidMessageException if the transaction would exceed its message or byte limits
     */
    public void addMessage(byte[] topic, String key, byte[] payload, int payloadOffset, int payloadLength,
                           Headers headers) {
        if (count == MAX_MESSAGES_PER_BATCH) {
            throw new InvalidMessageException("A transaction can publish at most " + MAX_MESSAGES_PER_BATCH
                    + " messages to one queue; split the work into several transactions");
        }
        int keyLength = key == null ? 0 : utf8Length(key);
        boolean withHeaders = headers != null && !headers.isEmpty();
        byte[][] headerBytes = withHeaders ? encode(headers) : null;
        int headerBlock = withHeaders ? headerBlockLength(headerBytes) : 0;
        long needed = (long) messageLength(topic.length, keyLength, payloadLength)
                + (withHeaders ? LENGTH_PREFIX + headerBlock : 0);
        if ((long) length + needed > maxRecordBytes) {
            throw new InvalidMessageException("The transaction's messages would take " + ((long) length + needed)
                    + " bytes in the journal, over the limit of " + maxRecordBytes + " bytes per transaction; "
                    + "split the work into several transactions or publish references instead of large payloads");
        }
        int at = putLengthPrefixed(buffer, length, topic);
        if (key == null) {
            buffer.putInt(at, NULL_KEY_LENGTH, BYTE_ORDER);
            at += LENGTH_PREFIX;
        } else {
            buffer.putInt(at, keyLength, BYTE_ORDER);
            putUtf8(at + LENGTH_PREFIX, key, keyLength);
            at += LENGTH_PREFIX + keyLength;
        }
        buffer.putInt(at, payloadLength, BYTE_ORDER);
        buffer.putBytes(at + LENGTH_PREFIX, payload, payloadOffset, payloadLength);
        at += LENGTH_PREFIX + payloadLength;
        if (withHeaders) {
            buffer.putInt(length, topic.length | HEADERS_FLAG, BYTE_ORDER);
            buffer.putInt(at, headerBlock, BYTE_ORDER);
            at += LENGTH_PREFIX;
            for (byte[] bytes : headerBytes) {
                at = putLengthPrefixed(buffer, at, bytes);
            }
            version = VERSION_HEADERS;
        }
        length = at;
        count++;
    }

    /** @return each header's name and value, UTF-8, alternating */
    private static byte[][] encode(Headers headers) {
        byte[][] bytes = new byte[headers.size() * 2][];
        for (int i = 0; i < headers.size(); i++) {
            bytes[2 * i] = headers.name(i).getBytes(StandardCharsets.UTF_8);
            bytes[2 * i + 1] = headers.value(i).getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    private static int headerBlockLength(byte[][] headerBytes) {
        int total = 0;
        for (byte[] bytes : headerBytes) {
            total += LENGTH_PREFIX + bytes.length;
        }
        return total;
    }

    /**
     * Writes the header of the batch built so far.
     *
     * @param kind      {@link JournalRecordDescriptor#KIND_BATCH} or {@link JournalRecordDescriptor#KIND_RELEASED_BATCH}
     * @param timestamp epoch millis
     */
    public void sealBatch(byte kind, long timestamp) {
        writeHeader(buffer, kind, version, timestamp);
        buffer.putInt(COUNT_OFFSET, count, BYTE_ORDER);
    }

    /**
     * Replaces the content with an outcome record.
     *
     * @param kind       {@link JournalRecordDescriptor#KIND_RELEASE} or {@link JournalRecordDescriptor#KIND_ROLLBACK}
     * @param batchIndex the batch it resolves
     * @param reason     the reason code
     * @param timestamp  epoch millis
     */
    public void outcome(byte kind, long batchIndex, byte reason, long timestamp) {
        writeHeader(buffer, kind, timestamp);
        buffer.putLong(BATCH_INDEX_OFFSET, batchIndex, BYTE_ORDER);
        buffer.putByte(REASON_OFFSET, reason);
        length = OUTCOME_LENGTH;
        count = 0;
        version = VERSION_PLAIN;
    }

    /** Empties the buffer for a RELEASES record; {@link #count()} then counts its outcomes. */
    public void startReleases() {
        length = RELEASES_ENTRIES_OFFSET;
        count = 0;
        version = VERSION_RELEASES;
    }

    /**
     * Adds one transaction's outcome to a RELEASES record.
     *
     * @param kind         {@link JournalRecordDescriptor#KIND_RELEASE} or {@link JournalRecordDescriptor#KIND_ROLLBACK}
     * @param batchIndex   the batch it resolves
     * @param reason       the reason code
     * @param firstOrdinal the ordinal the batch's first message takes in this record's sequences
     */
    public void addOutcome(byte kind, long batchIndex, byte reason, int firstOrdinal) {
        int at = length;
        buffer.putLong(at + ENTRY_BATCH_INDEX, batchIndex, BYTE_ORDER);
        buffer.putByte(at + ENTRY_KIND, kind);
        buffer.putByte(at + ENTRY_REASON, reason);
        buffer.putInt(at + ENTRY_FIRST_ORDINAL, firstOrdinal, BYTE_ORDER);
        length = at + ENTRY_LENGTH;
        count++;
    }

    /**
     * Writes the header of the RELEASES record built so far.
     *
     * @param timestamp epoch millis
     */
    public void sealReleases(long timestamp) {
        writeHeader(buffer, KIND_RELEASES, VERSION_RELEASES, timestamp);
        buffer.putInt(RELEASES_COUNT_OFFSET, count, BYTE_ORDER);
    }

    /** @return the bytes the buffer can hold without growing */
    public int capacity() {
        return buffer.capacity();
    }

    /** @return the array holding the record from offset 0 */
    public byte[] array() {
        return buffer.byteArray();
    }

    /** @return the record's length */
    public int length() {
        return length;
    }

    private static int utf8Length(String value) {
        int chars = value.length();
        for (int i = 0; i < chars; i++) {
            if (value.charAt(i) >= 0x80) {
                return value.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return chars;
    }

    private void putUtf8(int offset, String value, int utf8Length) {
        if (utf8Length == value.length()) {
            buffer.putStringWithoutLengthAscii(offset, value);
        } else {
            buffer.putBytes(offset, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
