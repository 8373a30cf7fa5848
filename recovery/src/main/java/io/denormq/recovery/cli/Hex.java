package io.denormq.recovery.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Journal indexes and sequences are shown in hexadecimal, as in the queue's logs (the upper bits
 * are the cycle and position, the lowest 16 the message's place in its transaction); options take
 * them the same way, with or without {@code 0x}. {@code -1} means "none".
 */
final class Hex implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String digits = value.trim();
        if (digits.equals("-1")) {
            return -1L;
        }
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
        }
        try {
            return Long.parseUnsignedLong(digits, 16);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a hexadecimal journal index or sequence "
                    + "(copy it from `denormq inspect`, `dump` or the logs)");
        }
    }

    static String format(long value) {
        return value < 0 ? "none" : Long.toHexString(value);
    }
}
