package io.denormq;

import java.util.ArrayList;
import java.util.List;

import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalRecordDescriptor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/** Reads the kinds of the records in a live queue's journal, for tests of what was written when. */
final class JournalRecords {
    private JournalRecords() {
    }

    static List<String> kinds(DenormQueue queue) {
        Journal journal = ((DefaultDenormQueue) queue).journal();
        List<String> kinds = new ArrayList<>();
        try (ExcerptTailer tailer = journal.createTailer()) {
            tailer.toStart();
            while (true) {
                try (DocumentContext context = tailer.readingDocument()) {
                    if (!context.isPresent()) {
                        return kinds;
                    }
                    Bytes<?> bytes = context.wire().bytes();
                    kinds.add(JournalRecordDescriptor.kindName(bytes.readByte(bytes.readPosition())));
                }
            }
        }
    }

    static long flushCount(DenormQueue queue) {
        return ((DefaultDenormQueue) queue).journal().flushCount();
    }
}
