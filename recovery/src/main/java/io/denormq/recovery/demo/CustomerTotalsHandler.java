package io.denormq.recovery.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import io.denormq.Message;
import io.denormq.MessageHandler;

/**
 * Keeps {@code customer_totals} on its own connection. Idempotent: a row remembers the sequence of
 * the last message applied to it, and a message at or below it (a re-delivery) changes nothing.
 * Runs on the handler's single thread.
 */
public final class CustomerTotalsHandler implements MessageHandler, AutoCloseable {
    /** The handler's name: its cursor's identity in the journal. */
    public static final String NAME = "customer-totals";

    private static final String APPLY = "merge into customer_totals t using (values (cast(? as varchar(40)), "
            + "cast(? as bigint), cast(? as bigint))) s(customer, amount, seq) on t.customer = s.customer "
            + "when matched and t.last_sequence < s.seq then "
            + "update set total = t.total + s.amount, order_count = t.order_count + 1, last_sequence = s.seq "
            + "when not matched then insert values (s.customer, s.amount, 1, s.seq)";

    private final DemoDatabase database;
    private Connection connection;
    private PreparedStatement apply;

    /**
     * @param database the demo database
     */
    public CustomerTotalsHandler(DemoDatabase database) {
        this.database = database;
    }

    @Override
    public void onMessage(Message message) throws SQLException {
        OrderPlaced order = message.payload(OrderPlaced.CODEC);
        if (apply == null) {
            connection = database.connect();
            apply = connection.prepareStatement(APPLY);
        }
        apply.setString(1, message.key());
        apply.setLong(2, order.amount());
        apply.setLong(3, message.sequence());
        apply.executeUpdate();
    }

    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
    }
}
