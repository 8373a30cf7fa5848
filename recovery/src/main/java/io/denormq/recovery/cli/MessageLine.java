package io.denormq.recovery.cli;

import java.time.Instant;

import io.denormq.DeadLetter;
import io.denormq.Message;
import io.denormq.recovery.inspect.JournalInspector;

/** One message or dead letter as one human-readable line. */
final class MessageLine {
    private MessageLine() {
    }

    static String of(Message message) {
        return "seq=" + Hex.format(message.sequence()) + " id=" + Hex.format(message.id())
                + " released=" + Instant.ofEpochMilli(message.releasedAtMillis())
                + " topic=" + message.topic() + " key=" + message.key()
                + " payload=" + JournalInspector.printable(message.payload());
    }

    static String of(DeadLetter deadLetter) {
        String error = deadLetter.error();
        int firstLine = error.indexOf('\n');
        return "index=" + Hex.format(deadLetter.journalIndex()) + " handler=" + deadLetter.handler()
                + " at=" + deadLetter.deadLetteredAt() + " attempts=" + deadLetter.attempts()
                + " seq=" + Hex.format(deadLetter.sequence()) + " id=" + Hex.format(deadLetter.messageId())
                + " topic=" + deadLetter.topic() + " key=" + deadLetter.key()
                + " payload=" + JournalInspector.printable(deadLetter.payload())
                + " error=" + (firstLine < 0 ? error : error.substring(0, firstLine));
    }
}
