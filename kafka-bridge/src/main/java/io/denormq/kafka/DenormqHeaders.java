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
     * every record the bridge sends: written straight into the array, without the string and its copy.
     */
    static byte[] decimal(long value) {
        if (value < 0) {
            return Long.toString(value).getBytes(StandardCharsets.US_ASCII); // ids and sequences never are
        }
        int length = 1;
        for (long rest = value / 10; rest != 0; rest /= 10) {
            length++;
        }
        byte[] text = new byte[length];
        long rest = value;
        for (int i = length - 1; i >= 0; i--) {
            text[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        return text;
    }
}
