package io.denormq.recovery.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;

import io.denormq.Message;
import io.denormq.tx.applied.JdbcTransactionalHandler;

/**
 * Keeps {@code customer_totals} up to date. It runs inside the transactional handler adapter
 * ({@link #adapter}), which commits each batch of updates together with the handler's applied
 * position: a re-delivery after a crash is skipped, so the totals are exact, not merely eventually
 * right.
 */
public final class CustomerTotalsHandler implements JdbcTransactionalHandler.JdbcMessageHandler {
    /** The handler's name: the identity of its cursor in the journal and of its applied position. */
    public static final String NAME = "customer-totals";
    /** Messages per read-model transaction: amortises H2's commit, which writes to disk. */
    static final int BATCH_SIZE = 100;

    private static final String INSERT_IF_MISSING = "insert into customer_totals(customer, total, order_count) "
            + "select ?, 0, 0 where not exists (select 1 from customer_totals where customer = ?)";
    /**
     * The order must be in the write model: a message whose order is missing belongs to a
     * transaction that rolled back while its outcome was lost in a crash (WRITE_AHEAD releases such
     * batches rather than risk losing a committed one), and it changes nothing.
     */
    private static final String APPLY = "update customer_totals set total = total + ?, order_count = order_count + 1 "
            + "where customer = ? and exists (select 1 from orders where id = ?)";

    /**
     * @param database the demo database
     * @return the handler inside the adapter, ready to register as {@link #NAME}; close it after the queue
     */
    public static JdbcTransactionalHandler adapter(DemoDatabase database) {
        return JdbcTransactionalHandler.builder(NAME, database.dataSource())
                .batchSize(BATCH_SIZE)
                .handler(new CustomerTotalsHandler())
                .build();
    }

    @Override
    public void onMessage(Message message, Connection connection) throws Exception {
        String customer = message.key();
        OrderPlaced order = message.payload(OrderPlaced.CODEC);
        try (PreparedStatement insertIfMissing = connection.prepareStatement(INSERT_IF_MISSING);
             PreparedStatement apply = connection.prepareStatement(APPLY)) {
            insertIfMissing.setString(1, customer);
            insertIfMissing.setString(2, customer);
            insertIfMissing.executeUpdate();
            apply.setLong(1, order.amount());
            apply.setString(2, customer);
            apply.setLong(3, order.orderId());
            apply.executeUpdate(); // 0 rows: the order rolled back
        }
    }
}
