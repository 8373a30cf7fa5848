package io.denormq.kafka;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The headers {@link KafkaBridge} puts on every record, and how to read them. Values are text
 * (UTF-8; numbers in decimal) so that any client, and Kafka's console tools, can read them.
 *
 * <table>
 * <caption>Record headers</caption>
 * <tr><th>header</th><th>value</th></tr>
 * <tr><td>{@value #ID}</td><td>{@link io.denormq.Message#id()}: the same on every re-send of the message</td></tr>
 * <tr><td>{@value #SEQUENCE}</td><td>{@link io.denormq.Message#sequence()}: increases in release order;
 *     the same on every re-send</td></tr>
 * <tr><td>{@value #TOPIC}</td><td>the denormq topic the message was published to</td></tr>
 * <tr><td>{@value #SOURCE}</td><td>the bridge's {@link KafkaBridgeBuilder#source(String) source}: which
 *     journal and handler wrote the record (ids and sequences are unique per journal only)</td></tr>
 * <tr><td>{@value #REDRIVE_OF}</td><td>only on a redriven dead letter: the sequence its failed delivery had
 *     ({@link io.denormq.Message#originalSequence()}). The record itself is a new one, with a new, higher
 *     {@value #SEQUENCE}, after the records released before the redrive, including newer ones of its key</td></tr>
 * </table>
 *
 * <p>The record's key is the message's key (UTF-8), its value the payload as published.
 *
 * <p>The message's own headers ({@link io.denormq.Message#headers()}, for example the W3C
 * {@value #TRACEPARENT} that {@code io.denormq.observation.DenormqObservation} adds at publish time)
 * come first, each as a record header of the same name with its value in UTF-8, so that a consumer's
 * tracing instrumentation continues the publisher's trace. Names starting with
 * {@value #RESERVED_PREFIX} are the bridge's: a message header with such a name is not copied.
 */
public final class DenormqHeaders {
    /** The message id, decimal. */
    public static final String ID = "denormq-id";
    /** The message's release sequence, decimal. */
    public static final String SEQUENCE = "denormq-sequence";
    /** The denormq topic. */
    public static final String TOPIC = "denormq-topic";
    /** The writing bridge's source name. */
    public static final String SOURCE = "denormq-source";
    /** On a redriven dead letter only: the sequence of the delivery that failed, decimal. */
    public static final String REDRIVE_OF = "denormq-redrive-of";

    /** Prefix of the headers the bridge writes itself: message headers with such names are not copied. */
    public static final String RESERVED_PREFIX = "denormq-";
    /** The W3C trace-context header a traced message carries, copied from the message like its other headers. */
    public static final String TRACEPARENT = "traceparent";

    /** What {@link #parseDecimal(byte[])} returns for bytes that are not a number (ids and sequences never take it). */
    static final long INVALID = Long.MIN_VALUE;

    /** "00" to "99", the two ASCII digits of each number below 100 side by side. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[i << 1] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[(i << 1) + 1] = (byte) ('0' + i % 10);
        }
    }

    private DenormqHeaders() {
    }

    /**
     * @param headers a record's headers
     * @return the message id
     * @throws IllegalArgumentException if the record has no valid {@value #ID} header (it was not written by a bridge)
     */
    public static long id(Headers headers) {
        return number(headers, ID);
    }

    /**
     * @param headers a record's headers
     * @return the message's release sequence
     * @throws IllegalArgumentException if the record has no valid {@value #SEQUENCE} header
     */
    public static long sequence(Headers headers) {
        return number(headers, SEQUENCE);
    }

    /**
     * Where the record's message stands in release order among its key's messages: for a redriven
     * dead letter the sequence its failed delivery had ({@value #REDRIVE_OF}), else its
     * {@value #SEQUENCE}. A consumer that keeps the newest value per key compares this, so that an
     * older message redriven does not overwrite what newer ones wrote. (Deduplicate by
     * {@value #SEQUENCE}, as {@link DenormqRecordDeduplicator} does: a redrive is a record of its own.)
     *
     * @param headers a record's headers
     * @return the original sequence
     * @throws IllegalArgumentException if the record has no valid {@value #SEQUENCE} header
     */
    public static long originalSequence(Headers headers) {
        Header redriveOf = headers.lastHeader(REDRIVE_OF);
        long original = redriveOf == null ? INVALID : parseDecimal(redriveOf.value());
        return original != INVALID ? original : sequence(headers);
    }

    /**
     * @param headers a record's headers
     * @return the denormq topic, null if the header is missing
     */
    public static String topic(Headers headers) {
        return text(headers, TOPIC);
    }

    /**
     * @param headers a record's headers
     * @return the writing bridge's source, null if the header is missing
     */
    public static String source(Headers headers) {
        return text(headers, SOURCE);
    }

    private static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static long number(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        long value = header == null ? INVALID : parseDecimal(header.value());
        if (value == INVALID) {
            throw new IllegalArgumentException("The record has no valid " + name + " header: it was not written by "
                    + "denormq's KafkaBridge");
        }
        return value;
    }

    /**
     * Parses what {@link #decimal(long)} wrote, without allocating (a consumer may call it for every
     * record); {@link #INVALID} if the bytes are not such a number.
     */
    static long parseDecimal(byte[] text) {
        if (text == null || text.length == 0 || text.length > 20) {
            return INVALID;
        }
        boolean negative = text[0] == '-';
        int start = negative ? 1 : 0;
        if (start == text.length || text.length - start > 19) {
            return INVALID;
        }
        long value = 0;
        for (int i = start; i < text.length; i++) {
            byte digit = text[i];
            if (digit < '0' || digit > '9') {
                return INVALID;
            }
            int d = digit - '0';
            // accumulated negatively: Long.MIN_VALUE has no positive twin
            if (value < Long.MIN_VALUE / 10 || value * 10 < Long.MIN_VALUE + d) {
                return INVALID; // out of range
            }
            value = value * 10 - d;
        }
        return negative ? value : (value == Long.MIN_VALUE ? INVALID : -value);
    }

    /**
     * Formats a long as decimal ASCII bytes, what {@code Long.toString(value)} spells. Called twice for
     * every record the bridge sends, with 19-digit values (journal indexes shifted): written straight
     * into the array, two digits per division, without the string and its copy.
     */
    static byte[] decimal(long value) {
        if (value < 0) {
            return Long.toString(value).getBytes(StandardCharsets.US_ASCII); // ids and sequences never are
        }
        byte[] text = new byte[decimalLength(value)];
        int at = text.length;
        long rest = value;
        while (rest > Integer.MAX_VALUE) {
            long quotient = rest / 100;
            int pair = (int) (rest - quotient * 100) << 1;
            rest = quotient;
            text[--at] = DIGIT_PAIRS[pair + 1];
            text[--at] = DIGIT_PAIRS[pair];
        }
        int small = (int) rest; // int division from here on: cheaper than long
        while (small >= 100) {
            int quotient = small / 100;
            int pair = (small - quotient * 100) << 1;
            small = quotient;
            text[--at] = DIGIT_PAIRS[pair + 1];
            text[--at] = DIGIT_PAIRS[pair];
        }
        if (small >= 10) {
            text[--at] = DIGIT_PAIRS[(small << 1) + 1];
            text[--at] = DIGIT_PAIRS[small << 1];
        } else {
            text[--at] = (byte) ('0' + small);
        }
        return text;
    }

    /** @return how many decimal digits a non-negative value has (comparisons, no division) */
    private static int decimalLength(long value) {
        long bound = 10;
        for (int length = 1; length < 19; length++) {
            if (value < bound) {
                return length;
            }
            bound *= 10;
        }
        return 19;
    }
}
