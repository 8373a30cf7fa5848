package io.denormq;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * A message's headers: a few named text values journaled with it (a W3C {@code traceparent}, a
 * tenant, a correlation id), for the handlers and the Kafka bridge to read. Immutable: {@link #with}
 * returns a new instance. Names are case-sensitive and unique (setting a name again replaces its
 * value); iteration follows the order in which names were first set.
 *
 * <p><b>Limits</b>, checked when a header is set so that a publish never fails on them later: at most
 * {@value #MAX_HEADERS} headers, a name of 1 to {@value #MAX_NAME_BYTES} UTF-8 bytes, a value of 0 to
 * {@value #MAX_VALUE_BYTES} UTF-8 bytes; breaking one throws {@link InvalidMessageException}.
 *
 * <p><b>Cost.</b> A message without headers is journaled exactly as before headers existed: not one
 * byte more, and the byte-array {@code publish} calls allocate nothing for them. A message with
 * headers takes 4 bytes plus 8 bytes and the UTF-8 text per header, and marks the journal as one
 * that denormq versions before headers cannot read (see the README's "Tracing" section).
 */
public final class Headers {
    /** The most headers one message may carry: headers are for context, not for data. */
    public static final int MAX_HEADERS = 32;
    /** The longest header name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 256;
    /** The longest header value, in UTF-8 bytes: room for a trace context with its vendor state. */
    public static final int MAX_VALUE_BYTES = 4096;

    private static final Headers EMPTY = new Headers(new String[0], new String[0]);

    private final String[] names;
    private final String[] values;

    private Headers(String[] names, String[] values) {
        this.names = names;
        this.values = values;
    }

    /** @return headers holding nothing; one shared instance */
    public static Headers empty() {
        return EMPTY;
    }

    /**
     * @param name  the header's name
     * @param value its value
     * @return headers holding that one header
     * @throws InvalidMessageException if the name or value is null or breaks a limit
     */
    public static Headers of(String name, String value) {
        return EMPTY.with(name, value);
    }

    /**
     * @param name  the header's name
     * @param value its value
     * @return headers holding these and the given one (replacing a header of that name, keeping its place)
     * @throws InvalidMessageException if the name or value is null or breaks a limit, or if the headers
     *                                 would be more than {@value #MAX_HEADERS}
     */
    public Headers with(String name, String value) {
        check(name, value);
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                String[] replaced = values.clone();
                replaced[i] = value;
                return new Headers(names, replaced);
            }
        }
        if (names.length == MAX_HEADERS) {
            throw new InvalidMessageException("A message can carry at most " + MAX_HEADERS + " headers; setting '"
                    + name + "' would make " + (MAX_HEADERS + 1) + ". Keep headers for context and put data in the payload");
        }
        String[] moreNames = Arrays.copyOf(names, names.length + 1);
        String[] moreValues = Arrays.copyOf(values, values.length + 1);
        moreNames[names.length] = name;
        moreValues[values.length] = value;
        return new Headers(moreNames, moreValues);
    }

    /**
     * @param more headers to add, may be null
     * @return these headers with every one of {@code more} set (theirs replace same-named ones)
     * @throws InvalidMessageException if the result would hold more than {@value #MAX_HEADERS}
     */
    public Headers withAll(Headers more) {
        if (more == null || more.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return more;
        }
        Headers result = this;
        for (int i = 0; i < more.names.length; i++) {
            result = result.with(more.names[i], more.values[i]);
        }
        return result;
    }

    /**
     * @param name a header name
     * @return its value, or null if there is no such header
     */
    public String get(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return values[i];
            }
        }
        return null;
    }

    /** @return how many headers there are */
    public int size() {
        return names.length;
    }

    /** @return whether there are none */
    public boolean isEmpty() {
        return names.length == 0;
    }

    /**
     * @param index 0 to {@link #size()} - 1
     * @return the name of the header at that place
     */
    public String name(int index) {
        return names[index];
    }

    /**
     * @param index 0 to {@link #size()} - 1
     * @return the value of the header at that place
     */
    public String value(int index) {
        return values[index];
    }

    /**
     * Gives every header to {@code action}, in order.
     *
     * @param action receives each name and value
     */
    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < names.length; i++) {
            action.accept(names[i], values[i]);
        }
    }

    private static void check(String name, String value) {
        if (name == null || name.isEmpty()) {
            throw new InvalidMessageException("A header name must not be null or empty");
        }
        if (value == null) {
            throw new InvalidMessageException("Header '" + name + "' has a null value; use an empty string, or leave "
                    + "the header out");
        }
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes > MAX_NAME_BYTES) {
            throw new InvalidMessageException("Header name '" + name.substring(0, 40) + "...' is " + nameBytes
                    + " UTF-8 bytes, over the limit of " + MAX_NAME_BYTES);
        }
        int valueBytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (valueBytes > MAX_VALUE_BYTES) {
            throw new InvalidMessageException("The value of header '" + name + "' is " + valueBytes
                    + " UTF-8 bytes, over the limit of " + MAX_VALUE_BYTES + "; put data in the payload");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Headers that && Arrays.equals(names, that.names) && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Headers{");
        for (int i = 0; i < names.length; i++) {
            text.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(values[i]);
        }
        return text.append('}').toString();
    }
}
