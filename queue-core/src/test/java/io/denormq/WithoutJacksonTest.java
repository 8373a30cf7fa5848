package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Jackson and Micrometer are optional: a queue without a codec loads no Jackson class, one without
 * observation no Micrometer class (headers and interceptors included), and it runs on a classpath
 * that has neither. Both in child JVMs, the only place the set of loaded classes can be seen.
 */
class WithoutJacksonTest {

    @Test
    void shouldLoadNoJacksonClassWhenNoJsonCodecWasChosen() throws Exception {
        Child child = run(System.getProperty("java.class.path"), "-Xlog:class+load=info");
        assertThat(child.exitCode).as("child output:%n%s", child.output).isZero();
        assertThat(child.output).contains("OK").doesNotContain("com.fasterxml.jackson").doesNotContain("tools.jackson")
                .doesNotContain("io.micrometer");
    }

    @Test
    void shouldRunWithoutJacksonOnTheClasspath() throws Exception {
        String withoutJackson = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("jackson") && !entry.contains("micrometer"))
                .collect(Collectors.joining(File.pathSeparator));
        Child child = run(withoutJackson, "--check-absent");
        assertThat(child.exitCode).as("child output:%n%s", child.output).isZero();
        assertThat(child.output).contains("no Jackson on the classpath").contains("OK");
    }

    private record Child(int exitCode, String output) {
    }

    private static Child run(String classPath, String... options) throws IOException, InterruptedException {
        List<String> jvmOptions = Arrays.stream(options).filter(o -> !o.startsWith("--")).toList();
        List<String> mainArgs = Arrays.stream(options).filter(o -> o.startsWith("--")).toList();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String flags = System.getProperty("denormq.jvm.flags", "");
        if (!flags.isBlank()) {
            command.addAll(Arrays.asList(flags.trim().split("\\s+")));
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-Xmx256m", "-cp", classPath, Main.class.getName()));
        command.addAll(mainArgs);
        Path output = Files.createTempFile("denormq-no-jackson-", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("child did not finish: " + Files.readString(output));
            }
            return new Child(process.exitValue(), Files.readString(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Publishes and handles bytes on a queue without a codec; the typed calls fail saying to set one. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            if (List.of(args).contains("--check-absent")) { // looking loads the class when it is there
                try {
                    Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, Main.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    System.out.println("no Jackson on the classpath");
                }
            }
            Path dir = Files.createTempDirectory("denormq-no-jackson").resolve("journal");
            List<String> received = new CopyOnWriteArrayList<>();
            DenormQueue queue = DenormQueue.builder(dir)
                    .publishInterceptor((topic, key, headers) -> headers.with("via", "interceptor"))
                    .handlerInterceptor((name, message, handler) -> handler.onMessage(message))
                    .handler("h", message -> received.add(message.payload(Codecs.utf8()) + message.header("via")))
                    .build();
            try {
                queue.publish("t", "k", "bytes".getBytes(StandardCharsets.UTF_8));
                try {
                    queue.publish("t", "k", List.of("typed"));
                    throw new AssertionError("published a typed value without a codec");
                } catch (ConfigurationException expected) {
                    // says to set a codec
                }
                if (!queue.awaitProcessed(Duration.ofSeconds(30)) || !received.equals(List.of("bytesinterceptor"))) {
                    throw new AssertionError("received " + received);
                }
            } finally {
                queue.close();
                QueueTestSupport.deleteRecursively(dir.getParent());
            }
            System.out.println("OK");
        }
    }
}
