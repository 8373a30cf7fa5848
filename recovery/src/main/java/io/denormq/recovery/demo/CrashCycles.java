package io.denormq.recovery.demo;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.denormq.recovery.cli.DenormqCli;

/**
 * {@code denormq demo --crash N}: runs the demo in a child JVM, kills it with SIGKILL (what
 * {@code kill -9} sends) at a random moment, starts it again on the same database and journal, N
 * times; the caller then drains the queue and checks the read model.
 */
final class CrashCycles {
    /** A child prints this once its transactions run; the kill lands up to this long after it. */
    static final String RUNNING = "resumed: transactions running";
    private static final long MAX_KILL_MILLIS = 2_500;

    private final Path workDir;
    private final List<String> demoArgs;
    private final DemoReport report;
    private final SplittableRandom random = new SplittableRandom();

    /**
     * @param workDir  the demo's directory, shared by every run
     * @param demoArgs the child's demo options (transactions, threads, ...)
     * @param report   where each cycle is told
     */
    CrashCycles(Path workDir, List<String> demoArgs, DemoReport report) {
        this.workDir = workDir;
        this.demoArgs = demoArgs;
        this.report = report;
    }

    /**
     * @param cycles kill/restart cycles
     * @throws IOException          if a child cannot be started
     * @throws InterruptedException if interrupted
     */
    void run(int cycles) throws IOException, InterruptedException {
        Path log = workDir.resolve("crash-children.log");
        for (int cycle = 1; cycle <= cycles; cycle++) {
            Process child = new ProcessBuilder(childCommand()).redirectErrorStream(true).start();
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
            Thread copier = copyOutput(child, log, running);
            if (!running.await(2, TimeUnit.MINUTES)) {
                child.destroyForcibly();
                throw new IllegalStateException("demo child " + child.pid() + " did not start its transactions "
                        + "within 2 minutes; its output is in " + log);
            }
            long killAfter = random.nextLong(MAX_KILL_MILLIS + 1);
            if (child.waitFor(killAfter, TimeUnit.MILLISECONDS)) {
                report.line("cycle %d/%d: the run finished before the kill (exit code %d)", cycle, cycles,
                        child.exitValue());
            } else {
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, as in a real crash
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("demo child " + child.pid() + " did not die after SIGKILL");
                }
                report.line("cycle %d/%d: killed the demo (pid %d) with kill -9 %d ms into its transactions", cycle,
                        cycles, child.pid(), killAfter);
            }
            copier.join(TimeUnit.SECONDS.toMillis(10));
        }
        report.line("children's output: %s", log);
    }

    /** Copies a child's output to the log, and tells when the child's transactions run. */
    private static Thread copyOutput(Process child, Path log, java.util.concurrent.CountDownLatch running) {
        Thread copier = new Thread(() -> {
            try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
                    child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
                 java.io.Writer out = Files.newBufferedWriter(log, java.nio.charset.StandardCharsets.UTF_8,
                         java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                String line;
                while ((line = lines.readLine()) != null) {
                    out.write(line);
                    out.write('\n');
                    if (line.contains(RUNNING)) {
                        out.flush();
                        running.countDown();
                    }
                }
            } catch (IOException e) {
                // the child died mid-line: what was copied is kept
            }
            running.countDown(); // a child that died early must not leave the parent waiting
        }, "demo-child-output");
        copier.setDaemon(true);
        copier.start();
        return copier;
    }

    /** The same jar or class path as this process, with the same JVM flags. */
    private List<String> childCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path codeSource = codeSource();
        if (codeSource != null && Files.isRegularFile(codeSource)) {
            command.add("-jar"); // the jar's manifest carries the JVM flags Chronicle Queue needs
            command.add(codeSource.toString());
        } else {
            String flags = System.getProperty("denormq.jvm.flags", "");
            if (!flags.isBlank()) {
                command.addAll(Arrays.asList(flags.trim().split("\\s+")));
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(DenormqCli.class.getName());
        }
        command.add("demo");
        command.add("--resume");
        command.add("--no-progress");
        command.add("--dir=" + workDir);
        command.addAll(demoArgs);
        return command;
    }

    private static Path codeSource() {
        try {
            return Path.of(CrashCycles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
