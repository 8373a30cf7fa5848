package io.denormq.inspect;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import io.denormq.DeadLetter;
import io.denormq.IncompatibleJournalException;
import io.denormq.JournalException;
import io.denormq.internal.journal.DeadLetterRecords;
import io.denormq.internal.journal.MessageView;
import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalFormat;
import io.denormq.internal.journal.JournalIdentity;
import io.denormq.internal.journal.JournalLock;
import io.denormq.internal.journal.ReleaseResolver;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads a journal directory without changing it and without taking its lock, so that it works while
 * a queue (in this process or another) uses the journal, and on a copy of a journal directory. What
 * it reports of a journal in use is a snapshot: a queue may append meanwhile.
 *
 * <p>Each query reads the journal from its first retained record, in one pass: cost grows with the
 * journal's size. Releases are resolved as the queue's readers resolve them, so the messages listed
 * are those every handler receives, in the same order and with the same sequences.
 *
 * <p>An inspector holds the journal's files open (memory-mapped) until {@link #close()}. Not
 * thread-safe: use one inspector per thread.
 */
public final class JournalInspector implements AutoCloseable {
    /** How long {@link #follow} sleeps when it has read everything. */
    private static final long FOLLOW_POLL_MILLIS = 50;

    /** Receives released messages in release order. */
    @FunctionalInterface
    public interface MessageVisitor {
        /**
         * @param message a released message
         * @return whether to go on; false stops the read
         */
        boolean visit(ReleasedMessage message);
    }

    private final Path directory;
    private final Journal journal;

    private JournalInspector(Path directory, Journal journal) {
        this.directory = directory;
        this.journal = journal;
    }

    /**
     * Opens a journal directory for reading, without its lock.
     *
     * @param directory a journal directory
     * @return an inspector, read-only
     * @throws JournalException             if the directory does not exist or is not a denormq journal
     * @throws IncompatibleJournalException if it was written in another format
     */
    public static JournalInspector open(Path directory) {
        JournalDirectories.check(directory);
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
        List<Cursor> cursors = cursors();
        long[] lags = new long[cursors.size()];
        Map<String, Long> kinds = new TreeMap<>();
        long[] released = new long[1];
        Scan scan = new Scan(Long.MIN_VALUE, message -> {
            released[0]++;
            for (int i = 0; i < lags.length; i++) {
                if (message.sequence() > cursors.get(i).sequence()) {
                    lags[i]++;
                }
            }
            return true;
        });
        scan.records = (kind, index, record) -> kinds.merge(kindName(kind), 1L, Long::sum);
        scan.run();
        List<CursorLag> lagging = new ArrayList<>();
        for (int i = 0; i < cursors.size(); i++) {
            lagging.add(new CursorLag(cursors.get(i), lags[i]));
        }
        return new JournalSummary(directory, JournalFormat.version(directory), journalId(), cycleFiles(), kinds,
                released[0], scan.resolver.unresolvedCount(), deadLetters().size(), lagging, usableBytes(),
                lockHolder());
    }

    /**
     * Visits the released messages whose sequence is greater than {@code afterSequence}, in release
     * order, until the end of the journal or until the visitor returns false.
     *
     * @param afterSequence -1 for every message, or a sequence already seen (a handler's cursor)
     * @param visitor       receives them
     */
    public void messages(long afterSequence, MessageVisitor visitor) {
        new Scan(afterSequence, visitor).run();
    }

    /**
     * Like {@link #messages} but, at the end of the journal, waits for new messages until
     * {@code stop} says so or the visitor returns false: {@code tail -f} for a journal.
     *
     * @param afterSequence -1 for every message, or the last sequence already seen
     * @param visitor       receives them
     * @param stop          polled while waiting; true stops the call
     * @throws InterruptedException if interrupted while waiting
     */
    public void follow(long afterSequence, MessageVisitor visitor, BooleanSupplier stop) throws InterruptedException {
        Scan scan = new Scan(afterSequence, visitor);
        try (ExcerptTailer tailer = journal.createTailer(); ExcerptTailer batches = journal.createTailer()) {
            tailer.toStart();
            while (!stop.getAsBoolean()) {
                if (!scan.readOne(tailer, batches)) {
                    if (!journal.moveOnFromADayWithoutEnd(tailer)) {
                        Thread.sleep(FOLLOW_POLL_MILLIS);
                    }
                } else if (scan.stopped) {
                    return;
                }
            }
        }
    }

    /**
     * Lists the batches whose transaction outcome the journal does not hold (yet).
     *
     * @return the unresolved batches, oldest first
     */
    public List<UnresolvedBatch> unresolvedBatches() {
        Scan scan = new Scan(Long.MAX_VALUE, message -> true);
        scan.run();
        List<UnresolvedBatch> batches = new ArrayList<>();
        for (long index : scan.resolver.unresolvedIndexes()) {
            byte[] batch = scan.resolver.unresolvedBatch(index);
            batches.add(new UnresolvedBatch(index, Instant.ofEpochMilli(timestampOf(batch)), messageCountOf(batch)));
        }
        return batches;
    }

    /** @return the unsettled dead letters (neither redriven nor discarded), oldest first */
    public List<DeadLetter> deadLetters() {
        return DeadLetterRecords.readAll(journal);
    }

    /** @return the cursors in the journal's checkpoint file, in slot order; none if it has no checkpoint file */
    public List<Cursor> cursors() {
        if (!Files.exists(directory.resolve(CheckpointDescriptor.FILE_NAME))) {
            return List.of();
        }
        try (CheckpointFile checkpoint = CheckpointFile.open(directory, true)) {
            return checkpoint.entries().stream()
                    .map(entry -> new Cursor(entry.handler(), entry.partition(), entry.partitionCount(), entry.cursor()))
                    .toList();
        }
    }

    /** @return the journal's cycle files, oldest first, with their sizes */
    public List<CycleFile> cycleFiles() {
        return Journal.cycleFiles(directory).stream()
                .map(file -> new CycleFile(file.path().getFileName().toString(), size(file.path())))
                .toList();
    }

    /**
     * Reads the lock file without taking the lock (taking it, even briefly, could make a queue that
     * is starting fail).
     *
     * @return the live process that holds the journal's lock, empty if none does (or the lock file cannot be read)
     */
    public Optional<LockHolder> lockHolder() {
        return JournalDirectories.lockHolder(directory);
    }

    private Optional<String> journalId() {
        return Files.exists(directory.resolve(JournalIdentity.FILE_NAME)) ? Optional.of(JournalIdentity.read(directory))
                : Optional.empty();
    }

    private long usableBytes() {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Receives every record, before its messages are visited. */
    @FunctionalInterface
    private interface RecordVisitor {
        void visit(byte kind, long index, byte[] record);
    }

    /** One read of the journal from its start, turning releases into messages as the queue's readers do. */
    private final class Scan {
        private final long afterSequence;
        private final MessageVisitor messages;
        private final ReleaseResolver resolver = ReleaseResolver.releasing(journal, ReleaseResolver.ALLOCATE,
                error -> { }); // the queue's readers report a release whose batch is gone; listing skips it as they do
        private final MessageView view = new MessageView();
        private RecordVisitor records = (kind, index, record) -> { };
        private boolean stopped;

        Scan(long afterSequence, MessageVisitor messages) {
            this.afterSequence = afterSequence;
            this.messages = messages;
        }

        void run() {
            try (ExcerptTailer tailer = journal.createTailer(); ExcerptTailer batches = journal.createTailer()) {
                tailer.toStart();
                while (!stopped && (readOne(tailer, batches) || journal.moveOnFromADayWithoutEnd(tailer))) {
                    // each call reads one record
                }
            }
        }

        /** @return whether a record was read */
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
                return true; // the queue's readers skip it too (and report it)
            }
            checkVersion(record, index, directory);
            records.visit(record[KIND_OFFSET], index, record);
            resolver.onRecord(record, record.length, index, batches, this::visitBatch);
            return true;
        }

        private void visitBatch(byte[] batch, long releaseIndex, long batchIndex, int firstOrdinal) {
            int count = messageCountOf(batch);
            long releasedAt = timestampOf(batch);
            int offset = MESSAGES_OFFSET;
            for (int ordinal = 0; ordinal < count && !stopped; ordinal++) {
                long sequence = compose(releaseIndex, firstOrdinal + ordinal);
                int next = view.wrap(batch, offset, sequence, compose(batchIndex, ordinal), releasedAt, false);
                if (sequence > afterSequence && !messages.visit(new ReleasedMessage(sequence, view.id(), view.topic(),
                        view.key(), view.payload(), releasedAt, view.headers()))) {
                    stopped = true;
                }
                offset = next;
            }
        }
    }

    /** Closes the journal's files. */
    @Override
    public void close() {
        journal.close();
    }
}
