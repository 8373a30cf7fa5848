/**
 * Harnesses that measure denormq, each figure printed next to a baseline measured in the same run.
 */
package io.denormq.benchmarks;
