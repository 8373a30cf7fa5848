package io.denormq.recovery.inspect;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import io.denormq.DeadLetter;
import io.denormq.JournalException;
import io.denormq.Message;
import io.denormq.internal.dispatch.DeadLetterRecords;
import io.denormq.internal.dispatch.MessageView;
import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalFormat;
import io.denormq.internal.journal.JournalLock;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a journal directory without changing it and without taking its lock, so that it works while
 * a queue (in this process or another) uses the journal. Each method reads the journal from its
 * first retained record: an operator's tool, not for a hot path.
 */
public final class JournalInspector implements AutoCloseable {
    /** Receives messages in release order; returns false to stop. */
    @FunctionalInterface
    public interface MessageVisitor {
        /**
         * @param message the message, valid during the call only
         * @return whether to go on
         */
        boolean visit(Message message);
    }

    private final Path directory;
    private final Journal journal;

    private JournalInspector(Path directory, Journal journal) {
        this.directory = directory;
        this.journal = journal;
    }

    /**
     * @param directory a journal directory
     * @return an inspector, read-only
     * @throws JournalException if the directory is not a denormq journal
     */
    public static JournalInspector open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new JournalException(directory + " is not a directory: give the journal directory of a queue");
        }
        JournalFormat.checkOrCreate(directory, false);
        return new JournalInspector(directory, Journal.open(directory, true));
    }

    /** @return the journal directory */
    public Path directory() {
        return directory;
    }

    /**
     * Counts everything the summary shows, reading the whole journal once.
     *
     * @return the summary
     */
    public JournalSummary summary() {
        List<CheckpointFile.Entry> entries = cursorEntries();
        long[] lags = new long[entries.size()];
        Map<String, Long> kinds = new TreeMap<>();
        long[] released = new long[1];
        Long2ObjectHashMap<Boolean> open = new Long2ObjectHashMap<>();
        scan(Long.MIN_VALUE, (kind, index, record, length) -> {
            kinds.merge(kindName(kind), 1L, Long::sum);
            if (kind == KIND_BATCH) {
                open.put(index, Boolean.TRUE);
            } else if (kind == KIND_RELEASE || kind == KIND_ROLLBACK) {
                long batch = new UnsafeBuffer(record).getLong(BATCH_INDEX_OFFSET, BYTE_ORDER);
                open.remove(batch);
            }
            return true;
        }, message -> {
            released[0]++;
            for (int i = 0; i < lags.length; i++) {
                if (message.sequence() > entries.get(i).cursor()) {
                    lags[i]++;
                }
            }
            return true;
        });
        List<JournalSummary.CursorLag> cursors = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            CheckpointFile.Entry entry = entries.get(i);
            cursors.add(new JournalSummary.CursorLag(entry.handler(), entry.partition(), entry.cursor(), lags[i]));
        }
        return new JournalSummary(directory, cycleFiles(), kinds, released[0], open.size(), deadLetters().size(),
                cursors, lockHolder());
    }

    /**
     * Visits the released messages whose sequence is greater than {@code afterSequence}, in release
     * order, until the end of the journal or until the visitor returns false.
     *
     * @param afterSequence -1 for every message
     * @param visitor       receives them
     */
    public void messages(long afterSequence, MessageVisitor visitor) {
        scan(afterSequence, (kind, index, record, length) -> true, visitor);
    }

    /**
     * Like {@link #messages} but, at the end of the journal, waits for new messages until
     * {@code stop} says so: {@code tail -f} for a journal.
     *
     * @param afterSequence -1 for every message, or the last sequence already seen
     * @param visitor       receives them
     * @param stop          polled while waiting
     * @throws InterruptedException if interrupted while waiting
     */
    public void follow(long afterSequence, MessageVisitor visitor, BooleanSupplier stop) throws InterruptedException {
        Follower follower = new Follower(afterSequence, visitor);
        try (ExcerptTailer tailer = journal.createTailer(); ExcerptTailer batches = journal.createTailer()) {
            tailer.toStart();
            while (!stop.getAsBoolean()) {
                if (!follower.readOne(tailer, batches)) {
                    Thread.sleep(50);
                } else if (follower.stopped) {
                    return;
                }
            }
        }
    }

    /** @return the unsettled dead letters, oldest first */
    public List<DeadLetter> deadLetters() {
        return DeadLetterRecords.readAll(journal);
    }

    /** @return the cursors in the checkpoint file, none if it does not exist */
    public List<CheckpointFile.Entry> cursorEntries() {
        if (!Files.exists(directory.resolve(CheckpointDescriptor.FILE_NAME))) {
            return List.of();
        }
        try (CheckpointFile checkpoint = CheckpointFile.open(directory, true)) {
            return checkpoint.entries();
        }
    }

    private List<JournalSummary.CycleFile> cycleFiles() {
        return Journal.cycleFiles(directory).stream()
                .map(file -> new JournalSummary.CycleFile(file.path().getFileName().toString(), size(file.path())))
                .toList();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** @return "pid=... since=..." if a live process holds the journal, else null */
    private String lockHolder() {
        try {
            return JournalLock.holder(directory).filter(JournalLock.Holder::isAlive).map(JournalLock.Holder::toString)
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Receives every record, before its messages are visited. */
    @FunctionalInterface
    private interface RecordVisitor {
        boolean visit(byte kind, long index, byte[] record, int length);
    }

    private void scan(long afterSequence, RecordVisitor records, MessageVisitor messages) {
        Follower follower = new Follower(afterSequence, messages);
        follower.records = records;
        try (ExcerptTailer tailer = journal.createTailer(); ExcerptTailer batches = journal.createTailer()) {
            tailer.toStart();
            while (follower.readOne(tailer, batches) && !follower.stopped) {
                // each call reads one record
            }
        }
    }

    /** Reads records one at a time and turns releases into messages, as the queue's reader does. */
    private final class Follower {
        private final long afterSequence;
        private final MessageVisitor messages;
        private final Long2ObjectHashMap<byte[]> unresolved = new Long2ObjectHashMap<>();
        private final MessageView view = new MessageView();
        private RecordVisitor records = (kind, index, record, length) -> true;
        private boolean stopped;

        Follower(long afterSequence, MessageVisitor messages) {
            this.afterSequence = afterSequence;
            this.messages = messages;
        }

        boolean readOne(ExcerptTailer tailer, ExcerptTailer batches) {
            byte[] record;
            long index;
            try (DocumentContext context = tailer.readingDocument()) {
                if (!context.isPresent()) {
                    return false;
                }
                Bytes<?> bytes = context.wire().bytes();
                index = context.index();
                record = new byte[(int) bytes.readRemaining()];
                bytes.read(record);
            }
            if (record.length < HEADER_LENGTH) {
                return true;
            }
            byte kind = record[KIND_OFFSET];
            if (!records.visit(kind, index, record, record.length)) {
                stopped = true;
                return true;
            }
            UnsafeBuffer buffer = new UnsafeBuffer(record);
            switch (kind) {
                case KIND_BATCH -> unresolved.put(index, record);
                case KIND_ROLLBACK -> unresolved.remove(buffer.getLong(BATCH_INDEX_OFFSET, BYTE_ORDER));
                case KIND_RELEASED_BATCH -> visitBatch(record, index, index);
                case KIND_RELEASE -> {
                    long batchIndex = buffer.getLong(BATCH_INDEX_OFFSET, BYTE_ORDER);
                    byte[] batch = unresolved.remove(batchIndex);
                    if (batch == null) {
                        batch = Journal.readAt(batches, batchIndex);
                    }
                    if (batch != null) {
                        visitBatch(batch, index, batchIndex);
                    }
                }
                default -> {
                    // dead letters and settlements are listed by deadLetters()
                }
            }
            return true;
        }

        private void visitBatch(byte[] batch, long releaseIndex, long batchIndex) {
            UnsafeBuffer buffer = new UnsafeBuffer(batch);
            int count = buffer.getInt(COUNT_OFFSET, BYTE_ORDER);
            long releasedAt = buffer.getLong(TIMESTAMP_OFFSET, BYTE_ORDER);
            int offset = MESSAGES_OFFSET;
            for (int ordinal = 0; ordinal < count && !stopped; ordinal++) {
                long sequence = compose(releaseIndex, ordinal);
                int next = view.wrap(batch, offset, sequence, compose(batchIndex, ordinal), releasedAt, false);
                if (sequence > afterSequence && !messages.visit(view)) {
                    stopped = true;
                }
                offset = next;
            }
        }
    }

    /**
     * @param payload message bytes
     * @return the bytes as text when they are printable UTF-8, else as hex
     */
    public static String printable(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        boolean printable = text.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd || c == '\t');
        if (printable) {
            return text;
        }
        StringBuilder hex = new StringBuilder("0x");
        for (byte b : payload) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return hex.toString();
    }

    @Override
    public void close() {
        journal.close();
    }
}
