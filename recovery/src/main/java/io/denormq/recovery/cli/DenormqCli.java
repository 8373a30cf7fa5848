package io.denormq.recovery.cli;

import io.denormq.recovery.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code denormq}: the operator's command-line tool. Run it as
 * {@code java -jar recovery/target/denormq.jar <command>}; the jar's manifest carries the JVM flags
 * Chronicle Queue needs.
 */
@Command(name = "denormq", mixinStandardHelpOptions = true, version = "denormq 0.1.0-SNAPSHOT",
        description = "Embedded durable queue for denormalisation messages: tools and demo.",
        subcommands = {DemoCommand.class})
public final class DenormqCli implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the tool.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.setProperty("chronicle.analytics.disable", "true");
        System.exit(new CommandLine(new DenormqCli()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
