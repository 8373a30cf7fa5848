/**
 * Test support for applications using denormq: {@link io.denormq.test.DenormqExtension}, a JUnit 5
 * extension that gives each test a queue on a temporary journal, and {@link io.denormq.test.DenormqRecorder},
 * which records what each transaction published and what each handler processed and asserts on it.
 * {@link io.denormq.test.spring.DenormqTest} does the same for Spring (Boot) test contexts.
 */
package io.denormq.test;
