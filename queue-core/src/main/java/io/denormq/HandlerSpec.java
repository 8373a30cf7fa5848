package io.denormq;

import java.util.function.IntFunction;

/**
 * A registered handler: how many partitions it runs as, and how each partition's handler is made.
 *
 * @param partitions how many event processors (threads) the handler runs as, each owning a share of the keys
 * @param factory    makes the handler of a partition, from its number
 */
record HandlerSpec(int partitions, IntFunction<MessageHandler> factory) {
}
