/**
 * Metrics: a Micrometer binder for a queue's statistics (Micrometer is an optional dependency).
 */
package io.denormq.metrics;
