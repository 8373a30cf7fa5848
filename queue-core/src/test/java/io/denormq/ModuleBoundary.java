package io.denormq;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The build's check that nothing outside queue-core uses its internals: every reference from one class
 * to another names it in the class file's constant pool by its internal name ({@code io/denormq/internal/...}),
 * so a class that imports, extends, calls or even mentions an internal type carries that string. The other
 * modules run it over their own compiled classes.
 */
public final class ModuleBoundary {

    private static final byte[] INTERNAL = "io/denormq/internal/".getBytes(StandardCharsets.US_ASCII);

    private ModuleBoundary() {
    }

    /**
     * Lists the classes of the module that contains {@code anyClassOfModule} (its output directory or its jar)
     * that refer to a type in {@code io.denormq.internal}.
     *
     * @param anyClassOfModule a class compiled into the module to check
     * @return the class-file names that refer to an internal type; empty when the module keeps to the API
     */
    public static List<String> classesUsingInternals(Class<?> anyClassOfModule) {
        Path location;
        try {
            location = Path.of(anyClassOfModule.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + anyClassOfModule, e);
        }
        try {
            return Files.isDirectory(location) ? scanDirectory(location) : scanJar(location);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the classes at " + location, e);
        }
    }

    private static List<String> scanDirectory(Path classes) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                if (refersToInternals(Files.readAllBytes(file))) {
                    found.add(classes.relativize(file).toString());
                }
            }
        }
        return found;
    }

    private static List<String> scanJar(Path jar) throws IOException {
        List<String> found = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : zip.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                try (InputStream in = zip.getInputStream(entry)) {
                    if (refersToInternals(in.readAllBytes())) {
                        found.add(entry.getName());
                    }
                }
            }
        }
        return found;
    }

    private static boolean refersToInternals(byte[] classFile) {
        for (int i = 0; i + INTERNAL.length <= classFile.length; i++) {
            if (classFile[i] == INTERNAL[0]
                    && Arrays.equals(classFile, i, i + INTERNAL.length, INTERNAL, 0, INTERNAL.length)) {
                return true;
            }
        }
        return false;
    }
}
