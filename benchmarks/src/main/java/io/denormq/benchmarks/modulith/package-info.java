/**
 * The Spring Boot application of the side-by-side with Spring Modulith's Event Publication Registry
 * ({@code io.denormq.benchmarks.SpringSideBySide}): the event, its listener and the clock that both
 * the listener and the denormq handler report to. Only the benchmarks module depends on Spring Boot
 * and Modulith.
 */
package io.denormq.benchmarks.modulith;
