package io.denormq.recovery.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;

import io.denormq.inspect.JournalInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code denormq tail DIR}: the last released messages, then new ones as they are released. Read-only. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints the last released messages, then follows the journal and prints new ones as they "
                + "are released (Ctrl-C stops). Read-only: works while a queue uses the journal.")
final class TailCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private JournalDirectoryParameter journal = new JournalDirectoryParameter();

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10", description = "how many of the last messages to print first (default 10)")
    private int lines;

    @Option(names = "--for", paramLabel = "DURATION", description = "stop following after this long (ISO-8601, e.g. PT30S); default: until Ctrl-C")
    private Duration duration;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (JournalInspector inspector = journal.inspect()) {
            Deque<String> last = new ArrayDeque<>();
            long[] lastSequence = {-1};
            inspector.messages(-1, message -> {
                if (lines > 0) {
                    if (last.size() == lines) {
                        last.removeFirst();
                    }
                    last.addLast(MessageLine.of(message));
                }
                lastSequence[0] = message.sequence();
                return true;
            });
            last.forEach(out::println);
            out.flush();
            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            inspector.follow(lastSequence[0], message -> {
                out.println(MessageLine.of(message));
                out.flush();
                return true;
            }, () -> System.nanoTime() - deadline > 0);
        }
        return 0;
    }
}
