package io.denormq.recovery.crash;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.denormq.Durability;

/**
 * Judges what the children left: the committed transactions ({@code tx}), every delivery
 * ({@code processed}) and the outcome log. Counts each {@link Finding} and keeps a few examples of
 * each for the failure message.
 */
final class CrashVerdict {
    private static final int SAMPLES = 5;

    private final Durability durability;
    private final Map<Finding, Long> counts = new EnumMap<>(Finding.class);
    private final Map<Finding, List<String>> samples = new EnumMap<>(Finding.class);
    private long committed;
    private long rolledBack;
    private long inDoubt;
    private long messages;
    private long deliveries;
    private long duplicates;

    private CrashVerdict(Durability durability) {
        this.durability = durability;
        for (Finding finding : Finding.values()) {
            counts.put(finding, 0L);
            samples.put(finding, new ArrayList<>());
        }
    }

    /**
     * @param database   the harness database, no longer used by any child
     * @param outcomes   the outcome log
     * @param durability the mode the queue ran in
     * @return the verdict
     * @throws SQLException if the database cannot be read
     */
    static CrashVerdict judge(HarnessDatabase database, Outcomes outcomes, Durability durability) throws SQLException {
        CrashVerdict verdict = new CrashVerdict(durability);
        try (Connection connection = database.connect(); Statement query = connection.createStatement()) {
            Map<Long, Integer> committed = verdict.readCommitted(query, outcomes);
            Map<Long, Delivery> firstDeliveries = verdict.readDeliveries(query, outcomes, committed);
            verdict.countLost(outcomes, committed, firstDeliveries);
        }
        return verdict;
    }

    /** One row of {@code processed}. */
    private record Delivery(long tx, int ordinal, long messageId, long sequence, int run, boolean redelivered,
                            boolean txVisible) {
        long messageKey() {
            return key(tx, ordinal);
        }

        @Override
        public String toString() {
            return "tx " + tx + " #" + ordinal + " (id " + Long.toHexString(messageId) + ", sequence "
                    + Long.toHexString(sequence) + ", run " + run + (redelivered ? ", redelivered" : "")
                    + (txVisible ? "" : ", tx not visible") + ")";
        }
    }

    /** One message's identity in a long: transaction ids leave the low 8 bits free for its ordinal. */
    private static long key(long tx, int ordinal) {
        return tx << 8 | ordinal;
    }

    private Map<Long, Integer> readCommitted(Statement query, Outcomes outcomes) throws SQLException {
        Map<Long, Integer> rows = new HashMap<>();
        try (ResultSet row = query.executeQuery("select tx_id, messages from tx")) {
            while (row.next()) {
                long tx = row.getLong(1);
                rows.put(tx, row.getInt(2));
                Outcomes.Intent intent = outcomes.intents().get(tx);
                if (intent == null || intent.rollback() || intent.messages() != row.getInt(2)) {
                    note(Finding.HARNESS_INCONSISTENT, "tx " + tx + " committed, but its logged intent is " + intent);
                }
            }
        }
        for (long tx : outcomes.acknowledged()) {
            if (!rows.containsKey(tx)) {
                note(Finding.HARNESS_INCONSISTENT, "tx " + tx + " acknowledged, but has no row: the database lost it");
            }
        }
        for (Map.Entry<Long, Outcomes.Intent> intent : outcomes.intents().entrySet()) {
            if (intent.getValue().rollback()) {
                rolledBack++;
            } else if (!rows.containsKey(intent.getKey())) {
                inDoubt++;
            }
        }
        this.committed = rows.size();
        this.messages = rows.values().stream().mapToLong(Integer::longValue).sum();
        return rows;
    }

    private Map<Long, Delivery> readDeliveries(Statement query, Outcomes outcomes, Map<Long, Integer> committed)
            throws SQLException {
        Map<Long, Delivery> first = new HashMap<>();
        Map<Long, Long> messageById = new HashMap<>();
        try (ResultSet row = query.executeQuery("select tx_id, ordinal, message_id, sequence, run, redelivered, "
                + "tx_visible from processed order by delivery")) {
            while (row.next()) {
                Delivery delivery = new Delivery(row.getLong(1), row.getInt(2), row.getLong(3), row.getLong(4),
                        row.getInt(5), row.getBoolean(6), row.getBoolean(7));
                deliveries++;
                classify(delivery, outcomes.intents().get(delivery.tx()), committed.containsKey(delivery.tx()));
                Delivery earlier = first.putIfAbsent(delivery.messageKey(), delivery);
                if (earlier != null) {
                    compareRepeat(earlier, delivery);
                }
                Long owner = messageById.putIfAbsent(delivery.messageId(), delivery.messageKey());
                if (owner != null && owner != delivery.messageKey()) {
                    note(Finding.UNSTABLE_IDENTITY, delivery + " has the id of another message");
                }
            }
        }
        return first;
    }

    private void classify(Delivery delivery, Outcomes.Intent intent, boolean committed) {
        if (intent == null || delivery.ordinal() >= intent.messages()) {
            note(Finding.STRANGER, delivery.toString());
        } else if (intent.rollback()) {
            note(Finding.ROLLED_BACK_DELIVERED, delivery.toString());
        } else if (!committed) {
            note(Finding.IN_DOUBT_DELIVERED, delivery.toString());
        } else if (!delivery.txVisible()) {
            note(Finding.EARLY, delivery.toString());
        }
    }

    private void compareRepeat(Delivery earlier, Delivery again) {
        duplicates++;
        if (earlier.run() == again.run()) {
            note(Finding.REPEATED_IN_ONE_RUN, earlier + " then " + again);
        } else if (!again.redelivered()) {
            note(Finding.UNFLAGGED_REDELIVERY, earlier + " then " + again);
        }
        if (earlier.messageId() != again.messageId() || earlier.sequence() != again.sequence()) {
            note(Finding.UNSTABLE_IDENTITY, earlier + " then " + again);
        }
    }

    private void countLost(Outcomes outcomes, Map<Long, Integer> committed, Map<Long, Delivery> delivered) {
        for (Map.Entry<Long, Integer> tx : committed.entrySet()) {
            // In AFTER_COMMIT the journal append follows the database commit: a transaction whose
            // commit step never returned may have died in between, which the mode allows.
            Finding finding = durability == Durability.AFTER_COMMIT && !outcomes.acknowledged().contains(tx.getKey())
                    ? Finding.LOST_IN_COMMIT_WINDOW : Finding.LOST;
            for (int ordinal = 0; ordinal < tx.getValue(); ordinal++) {
                if (!delivered.containsKey(key(tx.getKey(), ordinal))) {
                    note(finding, "tx " + tx.getKey() + " #" + ordinal);
                }
            }
        }
    }

    private void note(Finding finding, String sample) {
        counts.merge(finding, 1L, Long::sum);
        List<String> kept = samples.get(finding);
        if (kept.size() < SAMPLES) {
            kept.add(sample);
        }
    }

    long count(Finding finding) {
        return counts.get(finding);
    }

    /** @return the examples kept of a finding, for a failure message */
    List<String> samples(Finding finding) {
        return samples.get(finding);
    }

    long committed() {
        return committed;
    }

    /** @return the transactions that set out to commit, were killed before their commit returned, and did not commit */
    long inDoubt() {
        return inDoubt;
    }

    /**
     * @return the run's figures after {@code crash-harness durability=... flush=... cycles=...}
     */
    String figures() {
        return "committed=" + committed + " rolledBack=" + rolledBack + " messages=" + messages
                + " lost=" + count(Finding.LOST) + " early=" + count(Finding.EARLY)
                + " rolledBackDelivered=" + count(Finding.ROLLED_BACK_DELIVERED) + " duplicates=" + duplicates
                + " deliveries=" + deliveries + " inDoubt=" + inDoubt
                + " inDoubtDelivered=" + count(Finding.IN_DOUBT_DELIVERED)
                + " lostInCommitWindow=" + count(Finding.LOST_IN_COMMIT_WINDOW);
    }
}
