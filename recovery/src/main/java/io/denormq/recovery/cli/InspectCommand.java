package io.denormq.recovery.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import io.denormq.DenormQueueBuilder;
import io.denormq.inspect.CursorLag;
import io.denormq.inspect.JournalInspector;
import io.denormq.inspect.JournalSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code denormq inspect DIR}: what a journal holds and how far each handler is behind. Read-only. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Shows a journal's cycle files, records, each handler's cursor and lag, unresolved batches "
                + "and dead letters. Read-only: works while a queue uses the journal.")
final class InspectCommand implements Callable<Integer> {
    private static final long MIB = 1024 * 1024;

    @Spec
    private CommandSpec spec;

    @Mixin
    private JournalDirectoryParameter journal = new JournalDirectoryParameter();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (JournalInspector inspector = journal.inspect()) {
            JournalSummary summary = inspector.summary();
            out.println("journal      " + summary.directory().toAbsolutePath());
            out.println("format       " + summary.formatVersion() + "  id " + summary.journalId().orElse("none"));
            out.println("in use by    " + summary.lockHolder().map(Object::toString).orElse("nobody"));
            out.println("cycle files  " + summary.cycleFiles().size() + " (" + summary.cycleFileBytes() / MIB
                    + " MiB on disk)");
            summary.cycleFiles().forEach(file -> out.println("  " + file.name() + "  " + file.bytes() + " bytes"));
            out.println("free space   " + freeSpace(summary.usableBytes()));
            out.println("records      " + summary.records());
            for (Map.Entry<String, Long> kind : new TreeMap<>(summary.recordsByKind()).entrySet()) {
                out.println("  " + kind.getKey() + " " + kind.getValue());
            }
            out.println("released messages   " + summary.releasedMessages());
            out.println("unresolved batches  " + summary.unresolvedBatches()
                    + (summary.unresolvedBatches() > 0 ? " (transactions in flight, or released at the next start)" : ""));
            out.println("dead letters        " + summary.deadLetters()
                    + (summary.deadLetters() > 0 ? " (see `denormq dead-letters list`)" : ""));
            out.println("cursors");
            if (summary.cursors().isEmpty()) {
                out.println("  none");
            }
            for (CursorLag lag : summary.cursors()) {
                out.println("  " + lag.cursor().handler() + (lag.cursor().partition() == 0 ? "" : "#" + lag.cursor().partition())
                        + "  cursor=" + Hex.format(lag.cursor().sequence()) + "  lag=" + lag.lagMessages() + " message(s)");
            }
        }
        return 0;
    }

    /** What the journal's file system has left: a full one refuses new transactions (JournalFullException). */
    private static String freeSpace(long usable) {
        if (usable < 0) {
            return "unknown (the journal's file system could not be queried)";
        }
        return usable / MIB + " MiB usable on the journal's file system"
                + (usable < DenormQueueBuilder.DEFAULT_LOW_SPACE_WARNING_BYTES ? " (LOW: when it is full, transactions "
                + "that publish roll back; free space or grow the volume)" : "");
    }
}
