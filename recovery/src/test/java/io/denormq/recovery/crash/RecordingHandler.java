package io.denormq.recovery.crash;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.Codecs;
import io.denormq.Message;
import io.denormq.MessageHandler;

/**
 * Records every delivery in {@code processed}, on its own connection, in a transaction that commits
 * before {@code onMessage} returns: the queue acknowledges a message only after that, so a delivery
 * the queue counts as processed is always in the table. Before recording, it looks on the same
 * connection for the message's transaction row in {@code tx}: a delivery that finds none was either
 * early (its transaction committed later) or of a transaction that never committed; the test tells
 * the two apart from the final database. Runs on the handler's single thread; counts what it
 * processed for the workload, which keeps its backlog short.
 */
final class RecordingHandler implements MessageHandler, AutoCloseable {
    /** The handler's name: the identity of its cursor in the journal. */
    static final String NAME = "recorder";

    private final HarnessDatabase database;
    private final int run;
    private final AtomicLong processedOfItsRun = new AtomicLong();
    private Connection connection;
    private PreparedStatement findTransaction;
    private PreparedStatement record;

    /**
     * @param database the harness database; the connection is opened on the first message
     * @param run      the child run, recorded with each delivery
     */
    RecordingHandler(HarnessDatabase database, int run) {
        this.database = database;
        this.run = run;
    }

    @Override
    public void onMessage(Message message) throws SQLException {
        MessagePayload payload = MessagePayload.decode(message.payload(Codecs.utf8()));
        if (connection == null) {
            open();
        }
        try {
            findTransaction.setLong(1, payload.tx());
            boolean visible;
            try (ResultSet row = findTransaction.executeQuery()) {
                visible = row.next();
            }
            record.setLong(1, payload.tx());
            record.setInt(2, payload.ordinal());
            record.setLong(3, message.id());
            record.setLong(4, message.sequence());
            record.setInt(5, run);
            record.setBoolean(6, message.redelivered());
            record.setBoolean(7, visible);
            record.executeUpdate();
            connection.commit();
            if (HarnessWorkload.runOf(payload.tx()) == run) {
                processedOfItsRun.incrementAndGet();
            }
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e; // the queue retries the message
        }
    }

    /** @return messages processed so far that were published in this handler's run */
    long processedOfItsRun() {
        return processedOfItsRun.get();
    }

    private void open() throws SQLException {
        Connection opened = database.connect();
        try {
            opened.setAutoCommit(false);
            findTransaction = opened.prepareStatement("select 1 from tx where tx_id = ?");
            record = opened.prepareStatement("insert into processed(tx_id, ordinal, message_id, sequence, run, "
                    + "redelivered, tx_visible, processed_at) values (?, ?, ?, ?, ?, ?, ?, current_timestamp)");
        } catch (SQLException e) {
            opened.close();
            throw e;
        }
        connection = opened;
    }

    /** Closes the handler's connection, if it was opened. Call it after the queue is closed. */
    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
