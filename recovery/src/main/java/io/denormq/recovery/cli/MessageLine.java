package io.denormq.recovery.cli;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.StringJoiner;

import io.denormq.DeadLetter;
import io.denormq.Headers;
import io.denormq.inspect.ReleasedMessage;

/** One message or dead letter as one human-readable line. */
final class MessageLine {
    private MessageLine() {
    }

    static String of(ReleasedMessage message) {
        return "seq=" + Hex.format(message.sequence()) + " id=" + Hex.format(message.id())
                + " released=" + Instant.ofEpochMilli(message.releasedAtMillis())
                + " topic=" + message.topic() + " key=" + message.key()
                + " payload=" + printable(message.payload()) + headers(message.headers());
    }

    static String of(DeadLetter deadLetter) {
        String error = deadLetter.error();
        int firstLine = error.indexOf('\n');
        return "index=" + Hex.format(deadLetter.journalIndex()) + " handler=" + deadLetter.handler()
                + " at=" + deadLetter.deadLetteredAt() + " attempts=" + deadLetter.attempts()
                + " seq=" + Hex.format(deadLetter.sequence()) + " id=" + Hex.format(deadLetter.messageId())
                + " topic=" + deadLetter.topic() + " key=" + deadLetter.key()
                + " payload=" + printable(deadLetter.payload()) + headers(deadLetter.headers())
                + " error=" + (firstLine < 0 ? error : error.substring(0, firstLine));
    }

    /** @return the headers as {@code  headers={name=value, ...}}, or nothing when there are none */
    private static String headers(Headers headers) {
        if (headers.isEmpty()) {
            return "";
        }
        StringJoiner text = new StringJoiner(", ", " headers={", "}");
        headers.forEach((name, value) -> text.add(name + "=" + value));
        return text.toString();
    }

    /** @return the bytes as text when they are printable UTF-8, else as hex */
    static String printable(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        boolean printable = text.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd || c == '\t');
        if (printable) {
            return text;
        }
        StringBuilder hex = new StringBuilder("0x");
        for (byte b : payload) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return hex.toString();
    }
}
