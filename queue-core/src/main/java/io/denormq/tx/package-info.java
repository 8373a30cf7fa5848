/**
 * How a queue joins the transactions an application already runs: the
 * {@link io.denormq.tx.TransactionBinding} SPI (implemented for Spring and JTA in
 * {@code tx-integration}), the callbacks a binding drives for each transaction
 * ({@link io.denormq.tx.TransactionParticipant}), and {@link io.denormq.tx.ProgrammaticTransactions},
 * a binding for code that demarcates transactions itself (and for tests).
 */
package io.denormq.tx;
