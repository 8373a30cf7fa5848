/**
 * denormq's public API: an embedded, in-process, durable queue for denormalisation messages.
 *
 * <p>Build a queue with {@link io.denormq.DenormQueue#builder(java.nio.file.Path)}: a journal
 * directory, handlers ({@link io.denormq.MessageHandler}) under durable names, a
 * {@link io.denormq.Durability} and a {@link io.denormq.FlushPolicy}. Publish inside a transaction
 * with {@link io.denormq.DenormQueue#publish}: the messages are journaled (before the commit in
 * {@code WRITE_AHEAD}) and reach handlers only after the transaction committed; after a crash every
 * message a handler has not processed is delivered again. Failures are unchecked exceptions under
 * {@link io.denormq.DenormqException}.
 *
 * <p>The transaction-binding SPI is in {@code io.denormq.tx}, metrics in {@code io.denormq.metrics}.
 * {@code io.denormq.internal.journal} and {@code io.denormq.internal.dispatch} are internal: their types may change
 * in any release.
 */
package io.denormq;
