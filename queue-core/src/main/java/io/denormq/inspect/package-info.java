/**
 * Operator access to a journal directory, for tools such as the {@code denormq} command line.
 *
 * <p>{@link io.denormq.inspect.JournalInspector} reads a journal without changing it and without
 * taking its lock: it works while a queue (in this process or another) uses the journal, and on a
 * copy of a journal directory. {@link io.denormq.inspect.JournalMaintenance} changes a journal no
 * queue uses (redrives and discards dead letters, drops cursors): it takes the journal's lock, and
 * refuses with {@link io.denormq.JournalLockedException} while a queue holds it.
 *
 * <p>Everything here reads the journal from its first retained record: it is for operators, not
 * for a hot path. The types returned are immutable values; none exposes the journal's internals.
 */
package io.denormq.inspect;
