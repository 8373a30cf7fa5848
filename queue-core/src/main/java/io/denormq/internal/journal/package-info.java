/**
 * The journal: the memory-mapped Chronicle Queue that holds every transaction's batch and outcome,
 * the checkpoint file with the handlers' durable cursors, and the lock that gives one queue sole
 * ownership of a journal directory.
 *
 * <p><b>Internal:</b> these types are public so that the recovery tools can read a journal; they
 * are not part of denormq's API and may change in any release. The formats are described in
 * {@link io.denormq.internal.journal.JournalRecordDescriptor} and {@link io.denormq.internal.journal.CheckpointDescriptor}.
 */
package io.denormq.internal.journal;
