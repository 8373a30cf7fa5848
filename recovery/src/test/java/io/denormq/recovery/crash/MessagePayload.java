package io.denormq.recovery.crash;

/**
 * A harness message's payload: which transaction published it and its place in that transaction,
 * as {@code "tx:ordinal"}. Together they name a message independently of the queue's own ids, so
 * the test can check those.
 *
 * @param tx      the publishing transaction's id
 * @param ordinal the message's place in its transaction, from 0
 */
record MessagePayload(long tx, int ordinal) {
    static MessagePayload decode(String text) {
        int colon = text.indexOf(':');
        return new MessagePayload(Long.parseLong(text, 0, colon, 10), Integer.parseInt(text, colon + 1, text.length(), 10));
    }

    String encode() {
        return tx + ":" + ordinal;
    }
}
