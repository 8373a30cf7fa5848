/**
 * The {@code denormq} command-line tool.
 */
package io.denormq.recovery.cli;
