/**
 * The JTA binding: {@link io.denormq.tx.jta.JtaTransactionBinding} makes {@code publish} join the
 * current Jakarta Transactions transaction through interposed synchronizations.
 */
package io.denormq.tx.jta;
