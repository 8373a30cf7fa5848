package io.denormq.recovery.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.denormq.inspect.JournalInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code denormq dump DIR}: released messages in release order, one per line. Read-only. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Prints released messages in release order, one per line. Read-only.")
final class DumpCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private JournalDirectoryParameter journal = new JournalDirectoryParameter();

    @Option(names = "--after", paramLabel = "SEQ", converter = Hex.class, defaultValue = "-1",
            description = "only messages after this sequence (hexadecimal, e.g. a handler's cursor)")
    private long after;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "at most N messages (default 1000)")
    private long limit;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long[] printed = new long[1];
        try (JournalInspector inspector = journal.inspect()) {
            inspector.messages(after, message -> {
                out.println(MessageLine.of(message));
                return ++printed[0] < limit;
            });
        }
        out.flush();
        return 0;
    }
}
