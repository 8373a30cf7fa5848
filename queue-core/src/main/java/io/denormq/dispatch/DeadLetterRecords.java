package io.denormq.dispatch;

import static io.denormq.journal.JournalRecordDescriptor.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.denormq.DeadLetter;
import io.denormq.journal.Journal;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes and reads {@link JournalRecordDescriptor#KIND_DEAD_LETTER} records.
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
        ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(
                DEAD_HANDLER_OFFSET + 8 + handlerBytes.length + errorBytes.length + messageLength);
        writeHeader(buffer, KIND_DEAD_LETTER, System.currentTimeMillis());
        buffer.putLong(DEAD_SEQUENCE_OFFSET, message.sequence(), BYTE_ORDER);
        buffer.putLong(DEAD_MESSAGE_ID_OFFSET, message.id(), BYTE_ORDER);
        buffer.putInt(DEAD_ATTEMPTS_OFFSET, attempts, BYTE_ORDER);
        buffer.putInt(DEAD_PARTITION_OFFSET, partition, BYTE_ORDER);
        int at = DEAD_HANDLER_OFFSET;
        buffer.putInt(at, handlerBytes.length, BYTE_ORDER);
        buffer.putBytes(at + 4, handlerBytes);
        at += 4 + handlerBytes.length;
        buffer.putInt(at, errorBytes.length, BYTE_ORDER);
        buffer.putBytes(at + 4, errorBytes);
        at += 4 + errorBytes.length;
        buffer.putBytes(at, message.batch(), message.messageOffset(), messageLength);
        at += messageLength;
        return journal.append(buffer.byteArray(), at);
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
     * Reads every dead letter in the journal. Its cost grows with the journal's size: it is an
     * operator's query, not for a hot path.
     *
     * @param journal the journal
     * @return the dead letters, oldest first
     */
    public static List<DeadLetter> readAll(Journal journal) {
        List<DeadLetter> result = new ArrayList<>();
        MessageView view = new MessageView();
        try (ExcerptTailer tailer = journal.createTailer()) {
            tailer.toStart();
            while (true) {
                try (DocumentContext context = tailer.readingDocument()) {
                    if (!context.isPresent()) {
                        break;
                    }
                    Bytes<?> bytes = context.wire().bytes();
                    if (bytes.readRemaining() < HEADER_LENGTH
                            || bytes.readByte(bytes.readPosition() + KIND_OFFSET) != KIND_DEAD_LETTER) {
                        continue;
                    }
                    byte[] record = new byte[(int) bytes.readRemaining()];
                    bytes.read(record);
                    result.add(decode(record, context.index(), view));
                }
            }
        }
        return result;
    }

    private static DeadLetter decode(byte[] record, long index, MessageView view) {
        UnsafeBuffer buffer = new UnsafeBuffer(record);
        long timestamp = buffer.getLong(TIMESTAMP_OFFSET, BYTE_ORDER);
        long sequence = buffer.getLong(DEAD_SEQUENCE_OFFSET, BYTE_ORDER);
        long id = buffer.getLong(DEAD_MESSAGE_ID_OFFSET, BYTE_ORDER);
        int attempts = buffer.getInt(DEAD_ATTEMPTS_OFFSET, BYTE_ORDER);
        String handler = readString(buffer, DEAD_HANDLER_OFFSET);
        int at = DEAD_HANDLER_OFFSET + 4 + buffer.getInt(DEAD_HANDLER_OFFSET, BYTE_ORDER);
        String error = readString(buffer, at);
        at += 4 + buffer.getInt(at, BYTE_ORDER);
        view.wrap(record, at, sequence, id, timestamp, true);
        return new DeadLetter(handler, id, sequence, view.topic(), view.key(), view.payload(), attempts, error,
                Instant.ofEpochMilli(timestamp), index);
    }
}
