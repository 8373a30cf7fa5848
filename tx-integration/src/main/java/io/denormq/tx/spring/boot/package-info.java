/**
 * Spring Boot auto-configuration, for Spring Boot 3.5 and Spring Boot 4 alike: a
 * {@link io.denormq.DenormQueue} bean from {@code denormq.*} properties, enlisted in Spring-managed
 * transactions, with every {@link io.denormq.MessageHandler} bean and every
 * {@link io.denormq.tx.spring.boot.DenormqListener} method registered, Micrometer meters when
 * Micrometer is present, and a health indicator when Actuator is present — through Boot 3's health
 * API ({@link io.denormq.tx.spring.boot.DenormqHealthIndicator}) or Boot 4's
 * ({@link io.denormq.tx.spring.boot.DenormqBoot4HealthIndicator}), whichever the application runs on.
 */
package io.denormq.tx.spring.boot;
