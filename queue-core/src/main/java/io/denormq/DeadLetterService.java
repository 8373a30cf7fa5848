package io.denormq;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.denormq.internal.journal.DeadLetterRecords;
import io.denormq.internal.dispatch.Dispatcher;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalRecordDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running queue's dead letters: {@link DenormQueue#deadLetters()}, {@link DenormQueue#redrive}
 * and {@link DenormQueue#discard}. Settling a dead letter appends a record to the journal; a
 * redrive is delivered by the handler's reader like any released message.
 */
final class DeadLetterService {
    /** The queue's logger, whose name operators' log settings and the README's examples use. */
    private static final Logger LOG = LoggerFactory.getLogger(DefaultDenormQueue.class);

    private final Path directory;
    private final Journal journal;
    private final Dispatcher dispatcher;
    private final BooleanSupplier queueClosed;
    private final PayloadCodec codec;

    /**
     * @param directory   the journal directory, for messages
     * @param journal     the open journal
     * @param dispatcher  the running handlers (a redrive needs its handler registered)
     * @param queueClosed whether the queue is closed
     * @param codec       the queue's default codec, for {@link DeadLetter#payload(Class)}; null if none
     */
    DeadLetterService(Path directory, Journal journal, Dispatcher dispatcher, BooleanSupplier queueClosed,
                      PayloadCodec codec) {
        this.directory = directory;
        this.journal = journal;
        this.dispatcher = dispatcher;
        this.queueClosed = queueClosed;
        this.codec = codec;
    }

    /** @return every dead letter neither redriven nor discarded, oldest first */
    List<DeadLetter> deadLetters() {
        if (queueClosed.getAsBoolean()) {
            throw new QueueClosedException("Queue on " + directory + " is closed: cannot list dead letters");
        }
        return DeadLetterRecords.readAll(journal).stream().map(letter -> letter.withCodec(codec)).toList();
    }

    void redrive(DeadLetter deadLetter) {
        DeadLetter unsettled = unsettled(deadLetter, "redrive");
        if (dispatcher.runners().stream().noneMatch(runner -> runner.name().equals(unsettled.handler()))) {
            throw new IllegalStateException("Cannot redrive dead letter " + Long.toHexString(unsettled.journalIndex())
                    + ": its handler '" + unsettled.handler() + "' is not registered with this queue on " + directory
                    + "; register the handler, or discard the dead letter");
        }
        long index = DeadLetterRecords.settle(journal, unsettled.journalIndex(), JournalRecordDescriptor.SETTLED_REDRIVEN);
        LOG.info("Dead letter {} of handler '{}' (message {}) redriven at journal index {}",
                Long.toHexString(unsettled.journalIndex()), unsettled.handler(), Long.toHexString(unsettled.messageId()),
                Long.toHexString(index));
    }

    void discard(DeadLetter deadLetter) {
        requireNonNull(deadLetter, "discard");
        // the maintenance API's discard (io.denormq.inspect.JournalMaintenance) settles through the same call
        DeadLetter unsettled = DeadLetterRecords.settleUnsettled(journal, deadLetter.journalIndex(),
                JournalRecordDescriptor.SETTLED_DISCARDED, index -> notUnsettled(deadLetter, "discard"));
        LOG.info("Dead letter {} of handler '{}' (message {}) discarded", Long.toHexString(unsettled.journalIndex()),
                unsettled.handler(), Long.toHexString(unsettled.messageId()));
    }

    /** @return the journal's own record of the dead letter, if it is still unsettled */
    private DeadLetter unsettled(DeadLetter deadLetter, String action) {
        requireNonNull(deadLetter, action);
        DeadLetter unsettled = DeadLetterRecords.findUnsettled(journal, deadLetter.journalIndex());
        if (unsettled != null) {
            return unsettled;
        }
        throw notUnsettled(deadLetter, action);
    }

    private static void requireNonNull(DeadLetter deadLetter, String action) {
        if (deadLetter == null) {
            throw new IllegalArgumentException(action + ": the dead letter must not be null");
        }
    }

    private IllegalArgumentException notUnsettled(DeadLetter deadLetter, String action) {
        return new IllegalArgumentException("Cannot " + action + " dead letter " + Long.toHexString(deadLetter.journalIndex())
                + " of handler '" + deadLetter.handler() + "': the journal " + directory + " has no unsettled dead letter "
                + "at that index (already redriven or discarded, or from another journal)");
    }
}
