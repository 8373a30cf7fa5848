/**
 * What operators run against a journal directory: read-only inspection that works while a queue
 * uses the journal ({@link io.denormq.recovery.inspect.JournalInspector}), and maintenance that
 * needs the journal to itself ({@link io.denormq.recovery.inspect.JournalMaintenance}).
 */
package io.denormq.recovery.inspect;
