/**
 * Spring test support: {@link io.denormq.test.spring.DenormqTest} gives each Spring test context its own
 * temporary journal and a {@link io.denormq.test.DenormqRecorder} bean. Loaded by Spring's TestContext
 * framework from {@code META-INF/spring.factories}; nothing here is used outside Spring tests.
 */
package io.denormq.test.spring;
