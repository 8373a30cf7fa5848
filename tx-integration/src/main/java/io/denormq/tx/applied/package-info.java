/**
 * Exactly-once effects on a database read model: a handler adapter that applies each message in a
 * database transaction which also advances the handler's applied position, so that a re-delivery
 * after a crash changes nothing. See {@link io.denormq.tx.applied.TransactionalHandler}.
 */
package io.denormq.tx.applied;
