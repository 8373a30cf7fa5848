package io.denormq.recovery.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.denormq.inspect.Cursor;
import io.denormq.inspect.JournalInspector;
import io.denormq.inspect.JournalMaintenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code denormq cursors list|drop}: the handlers' durable cursors. */
@Command(name = "cursors", mixinStandardHelpOptions = true,
        description = "Lists the handlers' durable cursors, or drops a retired handler's.",
        subcommands = {CursorsCommand.ListCursors.class, CursorsCommand.Drop.class})
final class CursorsCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the cursors. Read-only.")
    static final class ListCursors implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private JournalDirectoryParameter journal = new JournalDirectoryParameter();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (JournalInspector inspector = journal.inspect()) {
                for (Cursor cursor : inspector.cursors()) {
                    out.println(cursor.handler() + " partition=" + cursor.partition() + "/" + cursor.partitionCount()
                            + " cursor=" + Hex.format(cursor.sequence()));
                }
            }
            return 0;
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true,
            description = "Drops a retired handler's cursors so that they no longer hold back retention. If the "
                    + "handler is still registered in the application it starts at the end of the journal on the "
                    + "next start. Refuses while a queue uses the journal, and on a journal without checkpoint "
                    + "file (it never creates one: its absence makes the next start replay everything).")
    static final class Drop implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private JournalDirectoryParameter journal = new JournalDirectoryParameter();

        @Parameters(index = "1", paramLabel = "HANDLER", description = "the retired handler's name")
        private String handler;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (JournalMaintenance maintenance = journal.maintain()) {
                int dropped = maintenance.dropCursor(handler).size();
                out.println(dropped == 0 ? "no cursor named '" + handler + "'"
                        : "dropped " + dropped + " cursor(s) of handler '" + handler + "'");
                return dropped == 0 ? 1 : 0;
            }
        }
    }
}
