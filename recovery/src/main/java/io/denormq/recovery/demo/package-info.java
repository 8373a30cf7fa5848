/**
 * {@code denormq demo}: an order system on embedded H2 whose read model is kept by a denormq handler.
 */
package io.denormq.recovery.demo;
