package io.denormq.tx.applied;

/**
 * What every {@link TransactionalHandler} builder configures: the position key, the table, the
 * batch size and the partition. The flavours add how transactions run and the user's code.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class TransactionalHandlerBuilder<B extends TransactionalHandlerBuilder<B>> {
    final String positionKey;
    AppliedPositionTable table = new AppliedPositionTable(AppliedPositionTable.DEFAULT_NAME);
    int batchSize = 1;
    int partition;
    int partitionCount = 1;

    /**
     * @param positionKey the handler's name in the queue: it keys the position rows
     */
    protected TransactionalHandlerBuilder(String positionKey) {
        this.positionKey = positionKey;
    }

    /** @return this builder, as its concrete type */
    protected abstract B self();

    /**
     * @param table the applied-position table's name; default {@value AppliedPositionTable#DEFAULT_NAME}
     * @return this builder
     */
    public B table(String table) {
        this.table = new AppliedPositionTable(table);
        return self();
    }

    /**
     * @param batchSize messages per transaction at most; default 1
     * @return this builder
     */
    public B batchSize(int batchSize) {
        this.batchSize = batchSize;
        return self();
    }

    /**
     * For a partitioned handler: the partition this adapter serves. Build one adapter per partition
     * in the factory given to the queue's {@code handler(name, partitions, factory)}.
     *
     * @param partition      {@code 0 .. partitionCount - 1}
     * @param partitionCount the handler's partition count in the queue
     * @return this builder
     */
    public B partition(int partition, int partitionCount) {
        this.partition = partition;
        this.partitionCount = partitionCount;
        return self();
    }

    /** @return the position key */
    protected String positionKey() {
        return positionKey;
    }
}
