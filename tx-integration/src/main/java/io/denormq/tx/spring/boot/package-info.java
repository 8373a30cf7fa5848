/**
 * Spring Boot auto-configuration: a {@link io.denormq.DenormQueue} bean from {@code denormq.*}
 * properties, enlisted in Spring-managed transactions, with every
 * {@link io.denormq.MessageHandler} bean registered, and an Actuator health indicator when
 * Actuator is present.
 */
package io.denormq.tx.spring.boot;
