/**
 * Micrometer Observation for denormq: publish and handler observations that carry the publisher's
 * trace context through the journal to the handlers ({@link io.denormq.observation.DenormqObservation}).
 * Needs {@code io.micrometer:micrometer-observation} on the classpath; nothing outside this package
 * refers to it.
 */
package io.denormq.observation;
