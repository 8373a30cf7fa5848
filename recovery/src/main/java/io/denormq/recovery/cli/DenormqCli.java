package io.denormq.recovery.cli;

import io.denormq.DenormqException;
import io.denormq.recovery.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code denormq}: the operator's command-line tool. Run it as
 * {@code java -jar recovery/target/denormq.jar <command>}; the jar's manifest carries the JVM flags
 * Chronicle Queue needs on Java 17. A new command is a picocli {@code @Command} class added to
 * {@code subcommands} below.
 */
@Command(name = "denormq", mixinStandardHelpOptions = true, version = "denormq 0.1.0-SNAPSHOT",
        description = "Embedded durable queue for denormalisation messages: operator tools and the demo.",
        subcommands = {InspectCommand.class, DumpCommand.class, TailCommand.class, DeadLettersCommand.class,
                CursorsCommand.class, DemoCommand.class, HelpCommand.class})
public final class DenormqCli implements Runnable {
    @Spec
    private CommandSpec spec;

    /**
     * Runs the tool and exits with the command's exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.setProperty("chronicle.analytics.disable", "true");
        System.exit(commandLine().execute(args));
    }

    /** @return the tool's command line, as {@link #main} runs it */
    public static CommandLine commandLine() {
        return new CommandLine(new DenormqCli()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((failure, commandLine, parseResult) -> {
                    // operators need the reason and what to do, which denormq's messages say; not a stack trace
                    if (failure instanceof DenormqException || failure instanceof IllegalArgumentException) {
                        commandLine.getErr().println("denormq " + commandLine.getCommandName() + ": "
                                + failure.getMessage());
                        return 2;
                    }
                    throw failure;
                });
    }

    /** Without a command: prints the usage. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
