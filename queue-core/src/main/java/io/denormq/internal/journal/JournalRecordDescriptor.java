package io.denormq.internal.journal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.denormq.IncompatibleJournalException;

import org.agrona.MutableDirectBuffer;

/**
 * The layout of the records denormq writes into the journal, one record per Chronicle Queue
 * excerpt, and the functions that walk it: nothing else reads or writes a record at a literal
 * offset. All numbers are little-endian ({@link #BYTE_ORDER}), read with {@link #getInt} and
 * {@link #getLong} or an Agrona buffer given {@link #BYTE_ORDER}. Every record starts with the same
 * header; its version is checked on read ({@link #checkVersion}): a record from a newer format is
 * refused, never skipped.
 *
 * <pre>
 *   0        1         2                 4                              12
 *   +--------+---------+-----------------+------------------------------+
 *   |  kind  | version |    reserved     |  written at (epoch millis)   |
 *   +--------+---------+-----------------+------------------------------+
 * </pre>
 *
 * <b>BATCH</b> (a transaction's messages, journaled before its commit) and <b>RELEASED_BATCH</b>
 * (messages journaled after the commit, or published outside a transaction: released as they are
 * written) continue with a count and the messages:
 *
 * <pre>
 *  12                16
 *  +-----------------+---------------------------------------------+
 *  |  message count  |  message 0, message 1, ...                  |
 *  +-----------------+---------------------------------------------+
 *
 *  message:
 *  +--------------+-------------+-------------------------+-----------+----------------+---------+- - - - - - - -+
 *  | topic length | topic UTF-8 | key length (-1 = null)  | key UTF-8 | payload length | payload | header block  |
 *  |   int32      |             |  int32                  |           |   int32        |         | (if flagged)  |
 *  +--------------+-------------+-------------------------+-----------+----------------+---------+- - - - - - - -+
 *
 *  header block (version 2, only when the topic length has HEADERS_FLAG set):
 *  +---------------+-------------+------------+--------------+-------------+-----
 *  | block length  | name length | name UTF-8 | value length | value UTF-8 | next header ...
 *  | int32 (bytes  |   int32     |            |   int32      |             |
 *  | that follow)  |             |            |              |             |
 *  +---------------+-------------+------------+--------------+-------------+-----
 * </pre>
 *
 * <p><b>Versions.</b> Version 1 has no headers. Version 2 adds the optional per-message header
 * block, announced by {@link #HEADERS_FLAG} in the message's topic length field (topics are at most
 * 1024 bytes, so that bit was always zero): a message without headers is laid out exactly as in
 * version 1. A record is written as version 2 only when one of its messages carries headers
 * ({@link #VERSION_HEADERS}), every other record stays version 1 ({@link #VERSION_PLAIN}), byte for
 * byte; so a journal where nobody set a header is a version-1 journal that older denormq versions
 * read, and one with headers is refused by them (record version and format marker) instead of
 * misread. The same applies to a DEAD_LETTER record, whose message keeps its header block.
 *
 * <b>RELEASE</b> and <b>ROLLBACK</b> (a transaction's outcome) continue with the journal index of
 * the batch they resolve, and a reason:
 *
 * <pre>
 *  12                               20          21
 *  +--------------------------------+-----------+
 *  |        batch journal index     |  reason   |
 *  +--------------------------------+-----------+
 * </pre>
 *
 * <b>RELEASES</b> (version 3: the outcomes of several transactions, written together when
 * transactions complete back to back, see {@link ReleaseWriter}) continues with a count and, per
 * outcome, the batch it resolves, whether it releases ({@link #KIND_RELEASE}) or discards
 * ({@link #KIND_ROLLBACK}) it, the reason, and the ordinal of the batch's first message in this
 * record's sequences:
 *
 * <pre>
 *  12               16                               24        25        26                30
 *  +----------------+--------------------------------+---------+---------+-----------------+------------
 *  | outcome count  |        batch journal index     | outcome | reason  |  first ordinal  | next outcome ...
 *  | int32          |        int64                   | kind    |         |  int32          |
 *  +----------------+--------------------------------+---------+---------+-----------------+------------
 * </pre>
 *
 * The messages of the batches it releases take sequences {@code releasesIndex << 16 | firstOrdinal + i}:
 * one record's released messages number at most {@value #MAX_MESSAGES_PER_BATCH}. Entries are in
 * release order, so a reader dispatches them in turn as if each were its own RELEASE or ROLLBACK.
 *
 * <b>DEAD_LETTER</b> (a message a handler gave up on) continues with:
 *
 * <pre>
 *  12           20           28         32          36
 *  +------------+------------+----------+-----------+----------------+---------+--------------+-------+---------+
 *  | sequence   | message id | attempts | partition | handler length | handler | error length | error | message |
 *  | int64      | int64      | int32    | int32     | int32          | UTF-8   | int32        | UTF-8 |         |
 *  +------------+------------+----------+-----------+----------------+---------+--------------+-------+---------+
 * </pre>
 *
 * <b>DEAD_LETTER_SETTLED</b> (an operator redrove or discarded a dead letter) has the layout of
 * RELEASE, with the dead letter's journal index in place of the batch index and
 * {@link #SETTLED_REDRIVEN} or {@link #SETTLED_DISCARDED} as the reason. A redrive is dispatched,
 * to the dead letter's handler only, when the reader reaches it; its sequence is
 * {@code settledIndex << 16}.
 *
 * <p>A message's id is {@code batchIndex << 16 | ordinal} and its sequence
 * {@code releaseIndex << 16 | ordinal}, where the indexes are the journal indexes of the batch and
 * of its release (plus the batch's first ordinal in a RELEASES record); hence at most
 * {@value #MAX_MESSAGES_PER_BATCH} messages per transaction.
 */
public final class JournalRecordDescriptor {
    /**
     * The newest record version this denormq reads and writes; a record or format marker naming a
     * newer one is refused.
     */
    public static final byte FORMAT_VERSION = 3;
    /** Version of a record none of whose messages carries headers: the layout of denormq before headers. */
    public static final byte VERSION_PLAIN = 1;
    /** Version of a record at least one of whose messages carries a header block. */
    public static final byte VERSION_HEADERS = 2;
    /** Version of a RELEASES record (the only kind version 3 added; the other kinds are unchanged). */
    public static final byte VERSION_RELEASES = 3;
    /**
     * Bit set in a message's topic length field when a header block follows its payload (version 2).
     * Readers mask it off with {@link #topicLengthOf}.
     */
    public static final int HEADERS_FLAG = 1 << 30;
    /** Byte order of every number in a record. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Kind: a transaction's messages, not yet released. */
    public static final byte KIND_BATCH = 1;
    /** Kind: a transaction's batch is released (its transaction committed or its outcome is unknown). */
    public static final byte KIND_RELEASE = 2;
    /** Kind: messages released as they are written. */
    public static final byte KIND_RELEASED_BATCH = 3;
    /** Kind: a transaction's batch is discarded (its transaction rolled back). */
    public static final byte KIND_ROLLBACK = 4;
    /** Kind: a handler gave up on a message. */
    public static final byte KIND_DEAD_LETTER = 5;
    /** Kind: a dead letter was redriven to its handler or discarded. */
    public static final byte KIND_DEAD_LETTER_SETTLED = 6;
    /** Kind: the outcomes of several transactions' batches, in release order (version 3). */
    public static final byte KIND_RELEASES = 7;
    /** Settlement: the dead letter's message is delivered to its handler again. */
    public static final byte SETTLED_REDRIVEN = 1;
    /** Settlement: the dead letter is dropped. */
    public static final byte SETTLED_DISCARDED = 2;

    /** Release reason: the transaction committed. */
    public static final byte REASON_COMMITTED = 0;
    /** Release reason: the transaction manager could not tell the outcome. */
    public static final byte REASON_UNKNOWN_OUTCOME = 1;
    /** Release reason: the batch had no outcome when the journal was recovered after a crash. */
    public static final byte REASON_RECOVERED = 2;
    /** Rollback reason: the transaction rolled back. */
    public static final byte REASON_ROLLED_BACK = 0;

    /** Offset of the kind byte. */
    public static final int KIND_OFFSET = 0;
    /** Offset of the version byte. */
    public static final int VERSION_OFFSET = 1;
    /** Offset of the two reserved bytes, written as zero. */
    public static final int RESERVED_OFFSET = 2;
    /** Offset of the time the record was written. */
    public static final int TIMESTAMP_OFFSET = 4;
    /** Length of the common header. */
    public static final int HEADER_LENGTH = 12;

    /** Offset of the message count in a (released) batch. */
    public static final int COUNT_OFFSET = HEADER_LENGTH;
    /** Offset of the first message in a (released) batch. */
    public static final int MESSAGES_OFFSET = COUNT_OFFSET + 4;

    /** Offset of the batch index in a release or rollback. */
    public static final int BATCH_INDEX_OFFSET = HEADER_LENGTH;
    /** Offset of the reason in a release or rollback. */
    public static final int REASON_OFFSET = BATCH_INDEX_OFFSET + 8;
    /** Length of a release or rollback record. */
    public static final int OUTCOME_LENGTH = REASON_OFFSET + 1;

    /** Offset of the outcome count in a RELEASES record. */
    public static final int RELEASES_COUNT_OFFSET = HEADER_LENGTH;
    /** Offset of the first outcome in a RELEASES record. */
    public static final int RELEASES_ENTRIES_OFFSET = RELEASES_COUNT_OFFSET + 4;
    /** Offset, within an outcome of a RELEASES record, of the batch index. */
    public static final int ENTRY_BATCH_INDEX = 0;
    /** Offset, within an outcome of a RELEASES record, of its kind ({@link #KIND_RELEASE} or {@link #KIND_ROLLBACK}). */
    public static final int ENTRY_KIND = 8;
    /** Offset, within an outcome of a RELEASES record, of its reason. */
    public static final int ENTRY_REASON = 9;
    /** Offset, within an outcome of a RELEASES record, of the ordinal its batch's first message takes. */
    public static final int ENTRY_FIRST_ORDINAL = 10;
    /** Length of one outcome in a RELEASES record. */
    public static final int ENTRY_LENGTH = 14;

    /** Offset of the message sequence in a dead letter. */
    public static final int DEAD_SEQUENCE_OFFSET = HEADER_LENGTH;
    /** Offset of the message id in a dead letter. */
    public static final int DEAD_MESSAGE_ID_OFFSET = DEAD_SEQUENCE_OFFSET + 8;
    /** Offset of the failed attempts in a dead letter. */
    public static final int DEAD_ATTEMPTS_OFFSET = DEAD_MESSAGE_ID_OFFSET + 8;
    /** Offset of the partition in a dead letter. */
    public static final int DEAD_PARTITION_OFFSET = DEAD_ATTEMPTS_OFFSET + 4;
    /** Offset of the handler name's length in a dead letter. */
    public static final int DEAD_HANDLER_OFFSET = DEAD_PARTITION_OFFSET + 4;

    /** Bits of a message id or sequence that hold the message's ordinal in its batch. */
    public static final int ORDINAL_BITS = 16;
    /** The most messages one transaction can publish. */
    public static final int MAX_MESSAGES_PER_BATCH = 1 << ORDINAL_BITS;
    /** Length of the key-length field when the key is null. */
    public static final int NULL_KEY_LENGTH = -1;
    /** Bytes of a length field (int32) before a topic, key, payload, handler name or error text. */
    public static final int LENGTH_PREFIX = 4;
    /** A message's three length fields: topic, key and payload. */
    public static final int MESSAGE_LENGTH_PREFIXES = 3 * LENGTH_PREFIX;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, BYTE_ORDER);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, BYTE_ORDER);

    private JournalRecordDescriptor() {
    }

    /**
     * @param recordIndex journal index of a batch or release
     * @param ordinal     the message's place in its batch
     * @return the id (for a batch index) or sequence (for a release index)
     */
    public static long compose(long recordIndex, int ordinal) {
        return (recordIndex << ORDINAL_BITS) | ordinal;
    }

    /**
     * @param idOrSequence a message id or sequence
     * @return the journal index it was composed from
     */
    public static long recordIndexOf(long idOrSequence) {
        return idOrSequence >>> ORDINAL_BITS;
    }

    /**
     * @param idOrSequence a message id or sequence
     * @return the message's ordinal in its batch
     */
    public static int ordinalOf(long idOrSequence) {
        return (int) (idOrSequence & (MAX_MESSAGES_PER_BATCH - 1));
    }

    /**
     * Refuses a record written by a newer denormq: its layout may differ from this one, and reading
     * it as this one would misread it (skipping it would lose its messages).
     *
     * @param record    a record of at least {@link #HEADER_LENGTH} bytes
     * @param index     its journal index, for the message
     * @param directory the journal directory, for the message
     * @throws IncompatibleJournalException if the record's version is newer than {@link #FORMAT_VERSION}
     */
    public static void checkVersion(byte[] record, long index, Path directory) {
        int version = record[VERSION_OFFSET] & 0xff;
        if (version > FORMAT_VERSION) {
            throw new IncompatibleJournalException("Journal " + directory + ": the " + kindName(record[KIND_OFFSET])
                    + " record at index " + Long.toHexString(index) + " has format version " + version
                    + ", newer than this denormq version reads (" + FORMAT_VERSION + "): a newer denormq wrote it. "
                    + "Upgrade denormq to read this journal; nothing was changed");
        }
    }

    /**
     * Writes the common header of a record without message headers ({@link #VERSION_PLAIN}).
     *
     * @param buffer    where to write, at offset 0
     * @param kind      the record kind
     * @param timestamp epoch millis
     */
    public static void writeHeader(MutableDirectBuffer buffer, byte kind, long timestamp) {
        writeHeader(buffer, kind, VERSION_PLAIN, timestamp);
    }

    /**
     * Writes the common header.
     *
     * @param buffer    where to write, at offset 0
     * @param kind      the record kind
     * @param version   {@link #VERSION_PLAIN}, or {@link #VERSION_HEADERS} if a message in it carries headers
     * @param timestamp epoch millis
     */
    public static void writeHeader(MutableDirectBuffer buffer, byte kind, byte version, long timestamp) {
        buffer.putByte(KIND_OFFSET, kind);
        buffer.putByte(VERSION_OFFSET, version);
        buffer.putShort(RESERVED_OFFSET, (short) 0, BYTE_ORDER);
        buffer.putLong(TIMESTAMP_OFFSET, timestamp, BYTE_ORDER);
    }

    /**
     * @param topicLength   topic bytes
     * @param keyLength     key bytes, 0 for a null key
     * @param payloadLength payload bytes
     * @return the bytes one message takes in a batch
     */
    public static int messageLength(int topicLength, int keyLength, int payloadLength) {
        return MESSAGE_LENGTH_PREFIXES + topicLength + keyLength + payloadLength;
    }

    /**
     * Reads an int of a record in the journal's byte order, from a plain array (no buffer to wrap,
     * so it allocates nothing on a reader's hot path).
     *
     * @param record a record
     * @param offset where the int is
     * @return the int
     */
    public static int getInt(byte[] record, int offset) {
        return (int) INT.get(record, offset);
    }

    /**
     * Reads a long of a record in the journal's byte order.
     *
     * @param record a record
     * @param offset where the long is
     * @return the long
     */
    public static long getLong(byte[] record, int offset) {
        return (long) LONG.get(record, offset);
    }

    /**
     * @param record a record
     * @return the journal index a RELEASE, ROLLBACK or DEAD_LETTER_SETTLED record refers to
     */
    public static long batchIndexOf(byte[] record) {
        return getLong(record, BATCH_INDEX_OFFSET);
    }

    /**
     * @param record a record
     * @return when it was written, epoch millis
     */
    public static long timestampOf(byte[] record) {
        return getLong(record, TIMESTAMP_OFFSET);
    }

    /**
     * @param batch a (released) batch record
     * @return how many messages it holds
     */
    public static int messageCountOf(byte[] batch) {
        return getInt(batch, COUNT_OFFSET);
    }

    /**
     * @param record a RELEASES record
     * @param length its length
     * @return how many outcomes it holds, no more than its length has room for
     */
    public static int releasesCountOf(byte[] record, int length) {
        if (length < RELEASES_ENTRIES_OFFSET) {
            return 0;
        }
        int count = getInt(record, RELEASES_COUNT_OFFSET);
        return Math.max(0, Math.min(count, (length - RELEASES_ENTRIES_OFFSET) / ENTRY_LENGTH));
    }

    /**
     * @param entry an outcome's number in a RELEASES record
     * @return the offset of that outcome
     */
    public static int releasesEntryOffset(int entry) {
        return RELEASES_ENTRIES_OFFSET + entry * ENTRY_LENGTH;
    }

    /**
     * @param record        a record holding a message
     * @param messageOffset where the message starts
     * @return the offset of the message's topic bytes
     */
    public static int topicOffset(byte[] record, int messageOffset) {
        return messageOffset + LENGTH_PREFIX;
    }

    /**
     * @param record        a record holding a message
     * @param messageOffset where the message starts
     * @return the offset of the message's key length field ({@link #NULL_KEY_LENGTH} for a null key)
     */
    public static int keyLengthOffset(byte[] record, int messageOffset) {
        return topicOffset(record, messageOffset) + topicLengthOf(record, messageOffset);
    }

    /**
     * @param record        a record holding a message
     * @param messageOffset where the message starts
     * @return the length of the message's topic in bytes
     */
    public static int topicLengthOf(byte[] record, int messageOffset) {
        return getInt(record, messageOffset) & ~HEADERS_FLAG;
    }

    /**
     * @param record        a record holding a message
     * @param messageOffset where the message starts
     * @return whether a header block follows the message's payload
     */
    public static boolean hasHeaders(byte[] record, int messageOffset) {
        return (getInt(record, messageOffset) & HEADERS_FLAG) != 0;
    }

    /**
     * @param record        a record holding a message
     * @param messageOffset where the message starts
     * @return the offset of the message's payload length field
     */
    public static int payloadLengthOffset(byte[] record, int messageOffset) {
        int keyLengthAt = keyLengthOffset(record, messageOffset);
        return keyLengthAt + LENGTH_PREFIX + Math.max(0, getInt(record, keyLengthAt));
    }

    /**
     * @param record a record
     * @param offset where a message starts
     * @return the offset just after that message
     */
    public static int skipMessage(byte[] record, int offset) {
        int payloadLengthAt = payloadLengthOffset(record, offset);
        int payloadEnd = payloadLengthAt + LENGTH_PREFIX + getInt(record, payloadLengthAt);
        return hasHeaders(record, offset) ? payloadEnd + LENGTH_PREFIX + getInt(record, payloadEnd) : payloadEnd;
    }

    /**
     * @param handlerBytes  the handler name's UTF-8 length
     * @param errorBytes    the error text's UTF-8 length
     * @param messageLength the message's length, as {@link #messageLength}
     * @return the length of a DEAD_LETTER record
     */
    public static int deadLetterLength(int handlerBytes, int errorBytes, int messageLength) {
        return DEAD_HANDLER_OFFSET + LENGTH_PREFIX + handlerBytes + LENGTH_PREFIX + errorBytes + messageLength;
    }

    /**
     * @param deadLetter a DEAD_LETTER record
     * @return the offset of its error text's length field
     */
    public static int deadErrorOffset(byte[] deadLetter) {
        return DEAD_HANDLER_OFFSET + LENGTH_PREFIX + getInt(deadLetter, DEAD_HANDLER_OFFSET);
    }

    /**
     * @param deadLetter a DEAD_LETTER record
     * @return the offset where its message starts
     */
    public static int deadMessageOffset(byte[] deadLetter) {
        int errorAt = deadErrorOffset(deadLetter);
        return errorAt + LENGTH_PREFIX + getInt(deadLetter, errorAt);
    }

    /**
     * Writes a length-prefixed byte string.
     *
     * @param buffer where to write
     * @param offset where the length field goes
     * @param bytes  the bytes
     * @return the offset just after them
     */
    public static int putLengthPrefixed(MutableDirectBuffer buffer, int offset, byte[] bytes) {
        buffer.putInt(offset, bytes.length, BYTE_ORDER);
        buffer.putBytes(offset + LENGTH_PREFIX, bytes);
        return offset + LENGTH_PREFIX + bytes.length;
    }

    /**
     * Reads a length-prefixed UTF-8 string.
     *
     * @param record a record
     * @param offset where the length field is
     * @return the string, or null for the null length
     */
    public static String readString(byte[] record, int offset) {
        int length = getInt(record, offset);
        if (length == NULL_KEY_LENGTH) {
            return null;
        }
        return new String(record, offset + LENGTH_PREFIX, length, StandardCharsets.UTF_8);
    }

    /**
     * Hashes a message's key bytes without decoding them: the same key gives the same hash in every
     * process and on every start, so a key always lands on the same partition for a given count.
     *
     * @param record        a batch record
     * @param messageOffset where the message starts in it
     * @return the key's hash, 0 for a message without a key
     */
    public static int keyHash(byte[] record, int messageOffset) {
        int keyLengthAt = keyLengthOffset(record, messageOffset);
        int keyLength = getInt(record, keyLengthAt);
        if (keyLength == NULL_KEY_LENGTH) {
            return 0;
        }
        return keyHash(record, keyLengthAt + LENGTH_PREFIX, keyLength);
    }

    /**
     * @param bytes  holds a key's UTF-8 bytes
     * @param offset where they start
     * @param length how many
     * @return the key's hash, as {@link #keyHash(byte[], int)} computes it
     */
    public static int keyHash(byte[] bytes, int offset, int length) {
        int hash = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            hash = 31 * hash + bytes[i];
        }
        return hash ^ (hash >>> 16); // spread the high bits into the low ones that modulo looks at
    }

    /**
     * @param keyHash    a key's hash, from {@link #keyHash}
     * @param partitions a handler's partition count
     * @return the partition that owns the key, {@code 0 .. partitions - 1}
     */
    public static int partitionOf(int keyHash, int partitions) {
        return Math.floorMod(keyHash, partitions);
    }

    /**
     * @param kind a record kind
     * @return its name, for logs and the inspection tool
     */
    public static String kindName(byte kind) {
        switch (kind) {
            case KIND_BATCH:
                return "BATCH";
            case KIND_RELEASE:
                return "RELEASE";
            case KIND_RELEASED_BATCH:
                return "RELEASED_BATCH";
            case KIND_ROLLBACK:
                return "ROLLBACK";
            case KIND_DEAD_LETTER:
                return "DEAD_LETTER";
            case KIND_DEAD_LETTER_SETTLED:
                return "DEAD_LETTER_SETTLED";
            case KIND_RELEASES:
                return "RELEASES";
            default:
                return "UNKNOWN(" + kind + ")";
        }
    }
}
