package io.denormq.recovery.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import io.denormq.DeadLetter;
import io.denormq.inspect.JournalInspector;
import io.denormq.inspect.JournalMaintenance;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code denormq dead-letters list|redrive|discard}: the messages handlers gave up on. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "Lists, redrives or discards the messages handlers gave up on.",
        subcommands = {DeadLettersCommand.ListDeadLetters.class, DeadLettersCommand.Redrive.class,
                DeadLettersCommand.Discard.class})
final class DeadLettersCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists dead letters neither redriven nor discarded. Read-only.")
    static final class ListDeadLetters implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private JournalDirectoryParameter journal = new JournalDirectoryParameter();

        @Option(names = "--handler", description = "only this handler's")
        private String handler;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (JournalInspector inspector = journal.inspect()) {
                List<DeadLetter> deadLetters = inspector.deadLetters().stream()
                        .filter(d -> handler == null || d.handler().equals(handler)).toList();
                deadLetters.forEach(d -> out.println(MessageLine.of(d)));
                out.println(deadLetters.size() + " dead letter(s)");
            }
            return 0;
        }
    }

    /** What redrive and discard share: the journal and which dead letters. */
    abstract static class Settle implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        JournalDirectoryParameter journal = new JournalDirectoryParameter();

        @ArgGroup(multiplicity = "1")
        Which which;

        static final class Which {
            @Option(names = "--index", paramLabel = "INDEX", converter = Hex.class, split = ",",
                    description = "dead letters by journal index (hexadecimal, as `list` prints them)")
            List<Long> indexes;

            @Option(names = "--all", description = "every dead letter (of --handler, if given)")
            boolean all;
        }

        @Option(names = "--handler", description = "with --all: only this handler's")
        String handler;

        abstract DeadLetter settle(JournalMaintenance maintenance, long index);

        abstract String verb();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (JournalMaintenance maintenance = journal.maintain()) {
                List<Long> indexes = which.all
                        ? maintenance.deadLetters().stream().filter(d -> handler == null || d.handler().equals(handler))
                                .map(DeadLetter::journalIndex).toList()
                        : which.indexes;
                for (long index : indexes) {
                    out.println(verb() + " " + MessageLine.of(settle(maintenance, index)));
                }
                out.println(indexes.size() + " dead letter(s) " + verb());
            }
            return 0;
        }
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Journals a redrive: each dead letter's handler receives its message again when the "
                    + "application next starts. Refuses while a queue uses the journal (a running application "
                    + "redrives with DenormQueue.redrive).")
    static final class Redrive extends Settle {
        @Override
        DeadLetter settle(JournalMaintenance maintenance, long index) {
            return maintenance.redrive(index);
        }

        @Override
        String verb() {
            return "redriven";
        }
    }

    @Command(name = "discard", mixinStandardHelpOptions = true,
            description = "Drops dead letters from the list. Refuses while a queue uses the journal.")
    static final class Discard extends Settle {
        @Override
        DeadLetter settle(JournalMaintenance maintenance, long index) {
            return maintenance.discard(index);
        }

        @Override
        String verb() {
            return "discarded";
        }
    }
}
