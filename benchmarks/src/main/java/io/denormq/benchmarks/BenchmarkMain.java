package io.denormq.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks, each in a JVM of its own: the JMH {@link PublishBenchmark} (forked by JMH),
 * then {@link PublishLatency}, {@link EndToEndThroughput}, {@link EndToEndLatency},
 * {@link RecoverySpeed}, {@link SpringSideBySide} and the others below, including
 * {@link KafkaBridgeThroughput} (started by this class). Every JVM gets
 * the flags Chronicle Queue needs, read from the system property {@code denormq.jvm.flags} that the
 * module's {@code exec:exec} configuration sets from the parent pom. JMH's JSON results and each
 * harness's output are written to {@code bench.resultsDir} (the module's {@code target} directory).
 *
 * <pre>
 * BenchmarkMain [-quick] [-prof PROFILER]... [-p PARAM=V1,V2]... [-include REGEX]
 *               [jmh] [latency] [e2e] [e2e-latency] [recovery] [spring] [read-model] [group-commit] [partitions]
 *               [threads] [kafka]
 * </pre>
 * <ul>
 *   <li>{@code -quick}: the whole suite in under 5 minutes on 2 cores: JMH with 200-byte payloads only
 *       and 6 + 5 iterations of one second, the harnesses with fewer messages, shorter runs and a
 *       recovery journal of 1 000 000 messages only (10 000 000 in the full run);</li>
 *   <li>{@code -prof}, {@code -p}, {@code -include}: passed to JMH ({@code -prof gc} adds allocation
 *       per operation, {@code -prof stack:lines=3} samples every thread's stacks; {@code -include} is a
 *       regular expression over the method names of {@link PublishBenchmark});</li>
 *   <li>{@code jmh}, {@code latency}, {@code e2e}, {@code e2e-latency}, {@code recovery}, {@code spring},
 *       {@code read-model}, {@code group-commit}, {@code partitions}, {@code threads}, {@code kafka}: run
 *       only these parts (all of them by default); {@code threads} runs {@link ThreadChurn} and then
 *       {@link InFlightThroughput}.</li>
 * </ul>
 */
public final class BenchmarkMain {
    private static final String HEAP = "-Xms1g -Xmx1g";
    private static final List<String> SECTIONS = List.of("jmh", "latency", "e2e", "e2e-latency", "recovery", "spring",
            "read-model", "group-commit", "partitions", "threads", "kafka");

    private BenchmarkMain() {
    }

    /**
     * @param args see the class comment
     * @throws Exception if a benchmark fails
     */
    public static void main(String[] args) throws Exception {
        boolean quick = false;
        List<String> profilers = new ArrayList<>();
        Map<String, String[]> params = new LinkedHashMap<>();
        String include = null;
        Set<String> sections = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-quick" -> quick = true;
                case "-prof" -> profilers.add(value(args, ++i, "-prof"));
                case "-p" -> {
                    String param = value(args, ++i, "-p");
                    int equals = param.indexOf('=');
                    if (equals < 1) {
                        throw usage("-p takes NAME=V1,V2,...: " + param);
                    }
                    params.put(param.substring(0, equals), param.substring(equals + 1).split(","));
                }
                case "-include" -> include = value(args, ++i, "-include");
                default -> {
                    if (!SECTIONS.contains(args[i])) {
                        throw usage("unknown argument: " + args[i]);
                    }
                    sections.add(args[i]);
                }
            }
        }
        if (sections.isEmpty()) {
            sections.addAll(SECTIONS);
        }
        Path resultsDir = Path.of(System.getProperty("bench.resultsDir", "target")).toAbsolutePath();
        Files.createDirectories(resultsDir);
        List<String> jvmFlags = jvmFlags();
        System.out.printf("denormq benchmarks%s: %s; %s%nbefore the start: load average %s, CPU busy %s%n"
                        + "results in %s%n", quick ? " (quick)" : "", String.join(", ", sections), Machine.describe(),
                Machine.loadAverage(), Machine.cpuBusy(), resultsDir);

        long start = System.nanoTime();
        if (sections.contains("jmh")) {
            runJmh(quick, profilers, params, include, jvmFlags, resultsDir);
        }
        if (sections.contains("latency")) {
            runHarness(PublishLatency.class, List.of("WRITE_AHEAD", "2000000", "200", "500000"), jvmFlags,
                    resultsDir.resolve("publish-latency" + (quick ? "-quick" : "") + ".txt"));
        }
        if (sections.contains("e2e")) {
            runHarness(EndToEndThroughput.class, List.of(quick ? "1000000" : "2000000", "200", "2"), jvmFlags,
                    resultsDir.resolve("end-to-end" + (quick ? "-quick" : "") + ".txt"));
        }
        if (sections.contains("e2e-latency")) {
            runHarness(EndToEndLatency.class, List.of("10000,100000,500000", quick ? "2" : "5", "1", "200"), jvmFlags,
                    resultsDir.resolve("end-to-end-latency" + (quick ? "-quick" : "") + ".txt"));
        }
        if (sections.contains("recovery")) {
            runHarness(RecoverySpeed.class, List.of(quick ? "1000000" : "1000000,10000000", "200"), jvmFlags,
                    resultsDir.resolve("recovery" + (quick ? "-quick" : "") + ".txt"));
        }
        if (sections.contains("spring")) {
            runHarness(SpringSideBySide.class, quick ? List.of("5000", "2", "1000", "2", "200")
                    : List.of("50000", "3", "1000", "10", "200"), jvmFlags,
                    resultsDir.resolve("spring-side-by-side" + (quick ? "-quick" : "") + ".txt"));
        }
        if (sections.contains("group-commit")) {
            runHarness(GroupCommitThroughput.class, List.of("1,4,16", quick ? "2" : "3", quick ? "2" : "4"), jvmFlags,
                    resultsDir.resolve("group-commit" + (quick ? "-quick" : "") + ".txt"));
        }
        if (sections.contains("partitions")) {
            runHarness(PartitionScaling.class, List.of(quick ? "10000" : "50000", "1,2,4,8,16", "50"), jvmFlags,
                    resultsDir.resolve("partitions" + (quick ? "-quick" : "") + ".txt"));
        }
        if (sections.contains("threads")) {
            runHarness(ThreadChurn.class, List.of(quick ? "1,1000,100000" : "1,1000,100000,1000000", "20000",
                    quick ? "20000" : "100000", "platform,virtual"), jvmFlags,
                    resultsDir.resolve("thread-churn" + (quick ? "-quick" : "") + ".txt"));
            runHarness(InFlightThroughput.class, List.of("1", quick ? "3" : "5", "1,2,4", "8,64,256,1024"), jvmFlags,
                    resultsDir.resolve("in-flight" + (quick ? "-quick" : "") + ".txt"));
        }
        if (sections.contains("read-model")) {
            runHarness(ReadModelThroughput.class, List.of(quick ? "20000" : "100000", "h2,postgresql"), jvmFlags,
                    resultsDir.resolve("read-model" + (quick ? "-quick" : "") + ".txt"));
        }
        if (sections.contains("kafka")) {
            runHarness(KafkaBridgeThroughput.class, quick ? List.of("100000", "10", "200", "3", "1000", "5", "5")
                    : List.of("100000", "10", "200", "5", "1000", "20", "20"), jvmFlags,
                    resultsDir.resolve("kafka" + (quick ? "-quick" : "") + ".txt"));
        }
        System.out.printf("%nall done in %.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw usage(option + " needs a value");
        }
        return args[i];
    }

    private static IllegalArgumentException usage(String problem) {
        return new IllegalArgumentException(problem + "; usage: BenchmarkMain [-quick] [-prof PROFILER]... "
                + "[-p PARAM=V1,V2]... [-include REGEX] [" + String.join("] [", SECTIONS) + "]");
    }

    /** The flags Chronicle Queue needs, from the parent pom via -Ddenormq.jvm.flags, or else this JVM's own. */
    static List<String> jvmFlags() {
        String flags = System.getProperty("denormq.jvm.flags");
        if (flags == null || flags.isBlank()) {
            System.out.println("warning: no -Ddenormq.jvm.flags; the child JVMs get this JVM's arguments instead");
            return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(arg -> !arg.startsWith("-Xm") && !arg.startsWith("-Dbench.")).toList();
        }
        return Arrays.stream(flags.trim().split("\\s+")).toList();
    }

    private static void runJmh(boolean quick, List<String> profilers, Map<String, String[]> params, String include,
                               List<String> jvmFlags, Path resultsDir) throws Exception {
        boolean custom = include != null || !params.isEmpty() || !profilers.isEmpty();
        // A run narrowed down or profiled does not overwrite the results of a standard run.
        Path json = resultsDir.resolve("jmh-publish" + (quick ? "-quick" : "")
                + (custom ? "-custom-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) : "")
                + ".json");
        List<String> forkArgs = new ArrayList<>(jvmFlags);
        forkArgs.addAll(List.of(HEAP.split(" ")));
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(PublishBenchmark.class.getName() + "." + (include == null ? ".*" : include))
                .jvmArgs(forkArgs.toArray(String[]::new))
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        if (quick) {
            options.param("payloadBytes", "200")
                    .warmupIterations(6).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        }
        for (Map.Entry<String, String[]> param : params.entrySet()) {
            options.param(param.getKey(), param.getValue());
        }
        for (String profiler : profilers) {
            int colon = profiler.indexOf(':');
            if (colon < 0) {
                options.addProfiler(profiler);
            } else {
                options.addProfiler(profiler.substring(0, colon), profiler.substring(colon + 1));
            }
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        printJmhSummary(results, json);
    }

    /** Prints each publish figure next to its baselines from the same run. */
    private static void printJmhSummary(Collection<RunResult> results, Path json) {
        Double empty = null;
        Map<String, Result<?>> publish = new LinkedHashMap<>();
        Map<String, Result<?>> raw = new LinkedHashMap<>();
        Map<String, String> allocation = new LinkedHashMap<>();
        for (RunResult run : results) {
            String benchmark = run.getParams().getBenchmark();
            String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            Result<?> primary = run.getPrimaryResult();
            String key = switch (method) {
                case "publish" -> run.getParams().getParam("messagesPerTx") + "|" + run.getParams().getParam("payloadBytes")
                        + "|" + run.getParams().getParam("durability") + "|" + run.getParams().getParam("handlers");
                case "rawAppend" -> run.getParams().getParam("messagesPerTx") + "|"
                        + run.getParams().getParam("payloadBytes");
                default -> "";
            };
            switch (method) {
                case "emptyTransaction" -> empty = primary.getScore();
                case "publish" -> publish.put(key, primary);
                case "rawAppend" -> raw.put(key, primary);
                default -> { }
            }
            run.getSecondaryResults().forEach((name, result) -> {
                if (name.endsWith("gc.alloc.rate.norm")) {
                    allocation.put(method + (key.isEmpty() ? "" : " " + key.replace('|', ' ')),
                            String.format("%.1f B/op", result.getScore()));
                }
            });
        }
        System.out.printf("%nJMH summary (average ns per transaction; JSON in %s)%n", json);
        if (empty != null) {
            System.out.printf("empty transaction (baseline): %.1f ns/op%n", empty);
        }
        if (!publish.isEmpty()) {
            System.out.printf("%n%-6s %-8s %-13s %-8s %16s %9s %11s %15s %10s%n", "msg/tx", "payload", "durability",
                    "handlers", "publish tx ns/op", "error", "added ns", "raw append ns", "tx / raw");
            for (Map.Entry<String, Result<?>> entry : publish.entrySet()) {
                String[] key = entry.getKey().split("\\|");
                double score = entry.getValue().getScore();
                Result<?> floor = raw.get(key[0] + "|" + key[1]);
                System.out.printf("%-6s %-8s %-13s %-8s %16.1f %9.1f %11s %15s %10s%n", key[0], key[1], key[2], key[3],
                        score,
                        entry.getValue().getScoreError(), empty == null ? "-" : String.format("%.1f", score - empty),
                        floor == null ? "-" : String.format("%.1f", floor.getScore()),
                        floor == null ? "-" : String.format("%.2f", score / floor.getScore()));
            }
        }
        if (publish.isEmpty() && !raw.isEmpty()) {
            raw.forEach((key, result) -> System.out.printf("raw append %s: %.1f ns/op%n", key, result.getScore()));
        }
        if (!allocation.isEmpty()) {
            System.out.printf("%nallocation per operation, all threads of the fork (-prof gc):%n");
            allocation.forEach((name, bytes) -> System.out.printf("  %-40s %s%n", name, bytes));
        }
    }

    private static void runHarness(Class<?> main, List<String> args, List<String> jvmFlags, Path output)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of(HEAP.split(" ")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        System.out.printf("%n# %s %s (output also in %s)%n", main.getSimpleName(), String.join(" ", args), output);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream in = process.getInputStream(); OutputStream file = Files.newOutputStream(output)) {
            copyToBoth(in, System.out, file);
        }
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroy();
            throw new IllegalStateException(main.getSimpleName() + " did not finish within 30 minutes");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(main.getSimpleName() + " failed with exit code " + process.exitValue());
        }
    }

    private static void copyToBoth(InputStream in, PrintStream console, OutputStream file) throws IOException {
        byte[] buffer = new byte[8192];
        for (int read; (read = in.read(buffer)) >= 0; ) {
            console.write(buffer, 0, read);
            console.flush();
            file.write(buffer, 0, read);
        }
    }
}
