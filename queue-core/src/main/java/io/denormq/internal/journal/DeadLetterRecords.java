package io.denormq.internal.journal;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

import io.denormq.DeadLetter;
import io.denormq.Message;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.ExpandableArrayBuffer;

/**
 * Writes and reads {@link JournalRecordDescriptor#KIND_DEAD_LETTER} records and their settlements
 * ({@link JournalRecordDescriptor#KIND_DEAD_LETTER_SETTLED}): the one implementation of listing,
 * redriving and discarding dead letters, for the running queue and for the maintenance API.
 */
public final class DeadLetterRecords {
    private static final int MAX_ERROR_CHARS = 4000;

    private DeadLetterRecords() {
    }

    /**
     * Appends a dead letter for the message a view points at.
     *
     * @param journal   the journal
     * @param handler   the handler that gave up
     * @param partition its partition
     * @param message   the message
     * @param attempts  failed attempts
     * @param error     the last failure
     * @return the dead letter's journal index
     */
    public static long append(Journal journal, String handler, int partition, MessageView message, int attempts,
                              Throwable error) {
        byte[] handlerBytes = handler.getBytes(StandardCharsets.UTF_8);
        byte[] errorBytes = describe(error).getBytes(StandardCharsets.UTF_8);
        int messageLength = message.messageEnd() - message.messageOffset();
        int length = deadLetterLength(handlerBytes.length, errorBytes.length, messageLength);
        ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(length);
        // the message keeps its header block, so the record has the version that announces one
        writeHeader(buffer, KIND_DEAD_LETTER, message.hasHeaderBlock() ? VERSION_HEADERS : VERSION_PLAIN,
                System.currentTimeMillis());
        buffer.putLong(DEAD_SEQUENCE_OFFSET, message.sequence(), BYTE_ORDER);
        buffer.putLong(DEAD_MESSAGE_ID_OFFSET, message.id(), BYTE_ORDER);
        buffer.putInt(DEAD_ATTEMPTS_OFFSET, attempts, BYTE_ORDER);
        buffer.putInt(DEAD_PARTITION_OFFSET, partition, BYTE_ORDER);
        int at = putLengthPrefixed(buffer, DEAD_HANDLER_OFFSET, handlerBytes);
        at = putLengthPrefixed(buffer, at, errorBytes);
        buffer.putBytes(at, message.batch(), message.messageOffset(), messageLength);
        return journal.append(buffer.byteArray(), length);
    }

    /**
     * Appends a dead letter for a message given by its parts: one a handler returned from and kept
     * a copy of, whose processing failed for good later ({@link io.denormq.HandlerContext#deadLetter}).
     * Its record holds the message encoded as in a batch (by {@link RecordBuffer}), so that it lists
     * and redrives the same way.
     *
     * @param journal   the journal
     * @param handler   the handler that gave up
     * @param partition its partition
     * @param message   the message (topic, key, payload, headers, id and sequence are kept)
     * @param attempts  failed attempts
     * @param error     the last failure
     * @return the dead letter's journal index
     */
    public static long append(Journal journal, String handler, int partition, Message message, int attempts,
                              Throwable error) {
        RecordBuffer encoded = new RecordBuffer(Integer.MAX_VALUE);
        byte[] payload = message.payload();
        encoded.addMessage(message.topic().getBytes(StandardCharsets.UTF_8), message.key(), payload, 0, payload.length,
                message.headers());
        MessageView view = new MessageView();
        view.wrap(encoded.array(), MESSAGES_OFFSET, message.sequence(), message.id(), message.releasedAtMillis(), true);
        return append(journal, handler, partition, view, attempts, error);
    }

    /**
     * @param error a failure
     * @return its class, message and the top of its stack trace, bounded in length
     */
    public static String describe(Throwable error) {
        StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        String full = text.toString();
        return full.length() <= MAX_ERROR_CHARS ? full : full.substring(0, MAX_ERROR_CHARS) + "\n\t...";
    }

    /**
     * A dead-letter record read from the journal, with where its message starts.
     *
     * @param record         the record's bytes
     * @param messageOffset  where the message starts in it
     * @param messageId      the message's id
     * @param failedSequence the sequence of the delivery that failed: the message's own, or that of
     *                       an earlier redrive of it
     * @param handler        the handler that gave up on it
     */
    public record Located(byte[] record, int messageOffset, long messageId, long failedSequence, String handler) {
    }

    /**
     * Reads every dead letter in the journal that was not redriven or discarded. Its cost grows
     * with the journal's size: it is an operator's query, not for a hot path.
     *
     * @param journal the journal
     * @return the unsettled dead letters, oldest first
     * @throws io.denormq.IncompatibleJournalException if a dead letter or settlement has a newer format
     */
    public static List<DeadLetter> readAll(Journal journal) {
        Map<Long, DeadLetter> result = new LinkedHashMap<>();
        MessageView view = new MessageView();
        try (ExcerptTailer tailer = journal.createTailer()) {
            tailer.toStart();
            while (true) {
                try (DocumentContext context = tailer.readingDocument()) {
                    if (!context.isPresent()) {
                        break;
                    }
                    Bytes<?> bytes = context.wire().bytes();
                    if (bytes.readRemaining() < HEADER_LENGTH) {
                        continue;
                    }
                    byte kind = bytes.readByte(bytes.readPosition() + KIND_OFFSET);
                    if (kind != KIND_DEAD_LETTER && kind != KIND_DEAD_LETTER_SETTLED) {
                        continue; // only these two are copied out: the others are most of the journal
                    }
                    byte[] record = new byte[(int) bytes.readRemaining()];
                    bytes.read(record);
                    checkVersion(record, context.index(), journal.directory());
                    if (kind == KIND_DEAD_LETTER_SETTLED && record.length >= OUTCOME_LENGTH) {
                        result.remove(batchIndexOf(record));
                    } else if (kind == KIND_DEAD_LETTER) {
                        result.put(context.index(), decode(record, context.index(), view));
                    }
                }
            }
        }
        return new ArrayList<>(result.values());
    }

    /**
     * Records that an operator redrove or discarded a dead letter. A redrive is delivered to the
     * dead letter's handler when the reader reaches this record.
     *
     * @param journal         the journal, open for writing
     * @param deadLetterIndex the dead letter's journal index
     * @param settlement      {@link JournalRecordDescriptor#SETTLED_REDRIVEN} or {@link JournalRecordDescriptor#SETTLED_DISCARDED}
     * @return the settlement's journal index
     */
    public static long settle(Journal journal, long deadLetterIndex, byte settlement) {
        RecordBuffer record = new RecordBuffer(OUTCOME_LENGTH);
        record.outcome(KIND_DEAD_LETTER_SETTLED, deadLetterIndex, settlement, System.currentTimeMillis());
        return journal.append(record.array(), record.length());
    }

    /**
     * Settles a dead letter if it is unsettled: what the running queue and the maintenance API do to
     * redrive or discard one.
     *
     * @param journal         the journal, open for writing
     * @param deadLetterIndex the dead letter's journal index
     * @param settlement      {@link JournalRecordDescriptor#SETTLED_REDRIVEN} or {@link JournalRecordDescriptor#SETTLED_DISCARDED}
     * @param notUnsettled    the exception to throw when the journal has no unsettled dead letter at that index
     * @return the dead letter settled
     */
    public static DeadLetter settleUnsettled(Journal journal, long deadLetterIndex, byte settlement,
                                             LongFunction<? extends RuntimeException> notUnsettled) {
        DeadLetter unsettled = findUnsettled(journal, deadLetterIndex);
        if (unsettled == null) {
            throw notUnsettled.apply(deadLetterIndex);
        }
        settle(journal, deadLetterIndex, settlement);
        return unsettled;
    }

    /**
     * Reads the dead letter at a journal index.
     *
     * @param journal the journal
     * @param tailer  a tailer of the journal, moved by this call
     * @param index   the dead letter's index
     * @return the record, or null if there is no dead letter at that index
     * @throws io.denormq.IncompatibleJournalException if the dead letter has a newer format
     */
    public static Located readAt(Journal journal, ExcerptTailer tailer, long index) {
        byte[] record = Journal.readAt(tailer, index);
        if (record == null || record.length < DEAD_HANDLER_OFFSET + LENGTH_PREFIX
                || record[KIND_OFFSET] != KIND_DEAD_LETTER) {
            return null;
        }
        checkVersion(record, index, journal.directory());
        return new Located(record, deadMessageOffset(record), getLong(record, DEAD_MESSAGE_ID_OFFSET),
                getLong(record, DEAD_SEQUENCE_OFFSET), readString(record, DEAD_HANDLER_OFFSET));
    }

    /**
     * @param journal the journal
     * @param index   a dead letter's journal index
     * @return the dead letter at that index if it is neither redriven nor discarded, else null
     */
    public static DeadLetter findUnsettled(Journal journal, long index) {
        for (DeadLetter candidate : readAll(journal)) {
            if (candidate.journalIndex() == index) {
                return candidate;
            }
        }
        return null;
    }

    private static DeadLetter decode(byte[] record, long index, MessageView view) {
        long timestamp = timestampOf(record);
        long sequence = getLong(record, DEAD_SEQUENCE_OFFSET);
        long id = getLong(record, DEAD_MESSAGE_ID_OFFSET);
        view.wrap(record, deadMessageOffset(record), sequence, id, timestamp, true);
        return new DeadLetter(readString(record, DEAD_HANDLER_OFFSET), id, sequence, view.topic(), view.key(),
                view.payload(), getInt(record, DEAD_ATTEMPTS_OFFSET), readString(record, deadErrorOffset(record)),
                Instant.ofEpochMilli(timestamp), index, view.headers());
    }
}
