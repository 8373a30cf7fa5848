/**
 * The Spring transaction binding: {@link io.denormq.tx.spring.SpringTransactionBinding} makes
 * {@code publish} join the transaction of any Spring {@code PlatformTransactionManager}.
 */
package io.denormq.tx.spring;
