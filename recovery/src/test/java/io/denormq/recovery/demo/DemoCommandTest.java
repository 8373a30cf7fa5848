package io.denormq.recovery.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import io.denormq.recovery.cli.DenormqCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine cli() {
        CommandLine cli = new CommandLine(new DenormqCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    @Test
    void shouldKeepTheReadModelEqualToTheOrders() {
        int exit = cli().execute("demo", "--transactions", "300", "--customers", "20", "--no-progress");

        assertThat(exit).as(out + "\n" + err).isZero();
        assertThat(out.toString())
                .contains("read model check: OK (20 customers match)")
                .containsPattern("transactions: \\d+ committed, \\d+ rolled back")
                .containsPattern("publish\\(\\): +median [0-9.]+ [nu]?s")
                .containsPattern("commit step: +median [0-9.]+ [num]?s");
    }

    @Test
    void shouldComeOutRightAfterKillingTheDemoWithKill9(@TempDir Path dir) throws Exception {
        Path work = dir.resolve("crash");
        int exit = cli().execute("demo", "--crash", "2", "--transactions", "200000", "--customers", "20",
                "--dir", work.toString());

        assertThat(exit).as(out + "\n" + err + "\n" + childrenOutput(work)).isZero();
        assertThat(out.toString())
                .containsPattern("cycle 1/2: (killed the demo \\(pid \\d+\\) with kill -9 \\d+ ms into its transactions|the run finished)")
                .contains("cycle 2/2:")
                .contains("after 2 kill(s): starting once more")
                .contains("read model check: OK (20 customers match)");
        try (var db = new DemoDatabase(work.resolve("db")).connect();
             var rows = db.createStatement().executeQuery("select count(*) from demo_runs")) {
            rows.next();
            assertThat(rows.getInt(1)).as("two killed runs and the final one").isEqualTo(3);
        }
    }

    private static String childrenOutput(Path work) throws java.io.IOException {
        Path log = work.resolve("crash-children.log");
        return Files.exists(log) ? Files.readString(log) : "(no children's output)";
    }

    @Test
    void shouldRunInAfterCommitModeWithTheProgressBar() {
        int exit = cli().execute("demo", "--transactions", "200", "--durability", "AFTER_COMMIT");

        assertThat(exit).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("AFTER_COMMIT").contains("read model check: OK");
    }

    @Test
    void shouldNotApplyTheMessagesOfRolledBackTransactions() {
        int exit = cli().execute("demo", "--transactions", "100", "--rollback-percent", "100", "--no-progress");

        assertThat(exit).as(out + "\n" + err).isZero();
        assertThat(out.toString())
                .contains("transactions: 0 committed, 100 rolled back")
                .contains("read model check: OK (0 customers match)");
    }

    @Test
    void shouldFailWhenTheHandlerLosesAMessage() {
        CommandLine cli = cli();
        DemoCommand demo = cli.getSubcommands().get("demo").getCommand();
        AtomicInteger delivered = new AtomicInteger();
        demo.handlerWrapper = handler -> new io.denormq.MessageHandler() {
            @Override
            public void onMessage(io.denormq.Message message) throws Exception {
                if (delivered.incrementAndGet() != 50) { // the 50th message is lost
                    handler.onMessage(message);
                }
            }

            @Override
            public void onCaughtUp() throws Exception {
                handler.onCaughtUp();
            }
        };

        int exit = cli.execute("demo", "--transactions", "200", "--customers", "20", "--no-progress");

        assertThat(exit).as(out + "\n" + err).isEqualTo(1);
        assertThat(out.toString())
                .contains("read model check: FAILED (1 of 20 customers differ)")
                .containsPattern("customer-\\d+: orders say total=\\d+ count=\\d+, read model says total=\\d+ count=\\d+");
    }

    @Test
    void shouldRefuseADirectoryThatIsNotEmpty(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("something"), "x");

        int exit = cli().execute("demo", "--dir", dir.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("is not empty");
    }

    @Test
    void shouldKeepTheDirectoryItWasGiven(@TempDir Path parent) {
        Path dir = parent.resolve("run");

        int exit = cli().execute("demo", "--dir", dir.toString(), "--transactions", "50", "--no-progress");

        assertThat(exit).as(out + "\n" + err).isZero();
        assertThat(dir.resolve("journal")).isDirectory();
        assertThat(dir.resolve("db")).isDirectory();
    }

    @Test
    void shouldRejectBadOptions() {
        assertThat(cli().execute("demo", "--rollback-percent", "101")).isEqualTo(2);
        assertThat(cli().execute("demo", "--threads", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--rollback-percent must be between 0 and 100");
    }

    @Test
    void shouldPrintUsageWithoutACommand() {
        assertThat(cli().execute()).isZero();
        assertThat(out.toString()).contains("Usage: denormq").contains("demo");
    }
}
