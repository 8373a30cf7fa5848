package io.denormq.recovery.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import io.denormq.Message;
import io.denormq.MessageHandler;

/**
 * Keeps {@code customer_totals} up to date, on its own connection. Idempotent: each row remembers
 * the sequence of the last message applied to it, and a message at or below that sequence (a
 * re-delivery) changes nothing. Each message is applied in one JDBC transaction. Runs on the
 * handler's single thread; close it after the queue is closed.
 */
public final class CustomerTotalsHandler implements MessageHandler, AutoCloseable {
    /** The handler's name: the identity of its cursor in the journal. */
    public static final String NAME = "customer-totals";

    private static final String INSERT_IF_MISSING = "insert into customer_totals(customer, total, order_count, "
            + "last_sequence) select ?, 0, 0, -1 where not exists (select 1 from customer_totals where customer = ?)";
    /**
     * The order must be in the write model: a message whose order is missing belongs to a
     * transaction that rolled back while its outcome was lost in a crash (WRITE_AHEAD releases such
     * batches rather than risk losing a committed one), and it changes nothing.
     */
    private static final String APPLY = "update customer_totals set total = total + ?, order_count = order_count + 1, "
            + "last_sequence = ? where customer = ? and last_sequence < ? "
            + "and exists (select 1 from orders where id = ?)";

    private final DemoDatabase database;
    private Connection connection;
    private PreparedStatement insertIfMissing;
    private PreparedStatement apply;

    /**
     * @param database the demo database; the connection is opened on the first message
     */
    public CustomerTotalsHandler(DemoDatabase database) {
        this.database = database;
    }

    @Override
    public void onMessage(Message message) throws SQLException {
        String customer = message.key();
        OrderPlaced order = message.payload(OrderPlaced.CODEC);
        long sequence = message.sequence();
        if (connection == null) {
            open();
        }
        try {
            insertIfMissing.setString(1, customer);
            insertIfMissing.setString(2, customer);
            insertIfMissing.executeUpdate();
            apply.setLong(1, order.amount());
            apply.setLong(2, sequence);
            apply.setString(3, customer);
            apply.setLong(4, sequence);
            apply.setLong(5, order.orderId());
            apply.executeUpdate(); // 0 rows: already applied (a re-delivery), or the order rolled back
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e; // the queue retries the message
        }
    }

    private void open() throws SQLException {
        Connection opened = database.connect();
        try {
            opened.setAutoCommit(false);
            insertIfMissing = opened.prepareStatement(INSERT_IF_MISSING);
            apply = opened.prepareStatement(APPLY);
        } catch (SQLException e) {
            opened.close();
            throw e;
        }
        connection = opened;
    }

    /** Closes the handler's connection, if it was opened. */
    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
