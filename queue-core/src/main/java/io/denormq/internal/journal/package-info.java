/**
 * The journal: the memory-mapped Chronicle Queue that holds every transaction's batch and outcome,
 * the checkpoint file with the handlers' durable cursors, and the lock that gives one queue sole
 * ownership of a journal directory.
 *
 * <p>Every binary layout is described once: the journal's records in
 * {@link io.denormq.internal.journal.JournalRecordDescriptor} (with the functions that walk the
 * message and dead-letter layouts, {@link io.denormq.internal.journal.MessageView} and
 * {@link io.denormq.internal.journal.DeadLetterRecords}), the checkpoint file in
 * {@link io.denormq.internal.journal.CheckpointDescriptor}, the lock file in
 * {@link io.denormq.internal.journal.JournalLock.Holder}. What a journal read in order releases is
 * decided in one place, {@link io.denormq.internal.journal.ReleaseResolver}.
 *
 * <p><b>Internal:</b> these types are public for queue-core's other packages (the queue, dispatch
 * and {@code io.denormq.inspect}); they are not part of denormq's API and may change in any release.
 */
package io.denormq.internal.journal;
