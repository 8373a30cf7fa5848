package io.denormq.recovery.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import io.denormq.recovery.inspect.JournalInspector;
import io.denormq.recovery.inspect.JournalSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code denormq inspect DIR}: what a journal holds and how far each handler is behind. Read-only. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Shows a journal's cycle files, records, each handler's cursor and lag, unresolved batches "
                + "and dead letters. Read-only: works while a queue uses the journal.")
final class InspectCommand implements Callable<Integer> {
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
            out.println("in use by    " + (summary.lockHolder() == null ? "nobody" : summary.lockHolder()));
            long bytes = summary.cycleFiles().stream().mapToLong(JournalSummary.CycleFile::bytes).sum();
            out.println("cycle files  " + summary.cycleFiles().size() + " (" + bytes / (1024 * 1024) + " MiB on disk)");
            summary.cycleFiles().forEach(file -> out.println("  " + file.name() + "  " + file.bytes() + " bytes"));
            out.println("free space   " + freeSpace(summary.directory()));
            long records = summary.recordsByKind().values().stream().mapToLong(Long::longValue).sum();
            out.println("records      " + records);
            for (Map.Entry<String, Long> kind : new java.util.TreeMap<>(summary.recordsByKind()).entrySet()) {
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
            for (JournalSummary.CursorLag cursor : summary.cursors()) {
                out.println("  " + cursor.handler() + (cursor.partition() == 0 ? "" : "#" + cursor.partition())
                        + "  cursor=" + Hex.format(cursor.cursor()) + "  lag=" + cursor.lagMessages() + " message(s)");
            }
        }
        return 0;
    }

    /** What the journal's file system has left: a full one refuses new transactions (JournalFullException). */
    private static String freeSpace(java.nio.file.Path directory) {
        try {
            long usable = java.nio.file.Files.getFileStore(directory).getUsableSpace();
            return usable / (1024 * 1024) + " MiB usable on the journal's file system"
                    + (usable < io.denormq.DenormQueueBuilder.DEFAULT_LOW_SPACE_WARNING_BYTES ? " (LOW: when it is full, transactions "
                    + "that publish roll back; free space or grow the volume)" : "");
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
