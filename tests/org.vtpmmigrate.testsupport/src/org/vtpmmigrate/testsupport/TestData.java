package org.vtpmmigrate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the shared test data, which tests read in place and never copy.
 * <p>
 * The root directory comes from the system property {@value #PROPERTY}; the build sets it, and a
 * manual run passes {@code -Dvtpm.testdata=/path/to/testdata} to the JVM.
 */
public final class TestData {

    /** Name of the system property holding the test data root directory. */
    public static final String PROPERTY = "vtpm.testdata";

    private TestData() {
    }

    /**
     * Returns the test data root directory.
     *
     * @throws IllegalStateException if the property is unset or does not name a directory
     */
    public static Path root() {
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            throw new IllegalStateException("System property " + PROPERTY
                    + " is not set: run the tests with -D" + PROPERTY + "=<test data directory>");
        }
        Path root = Paths.get(configured).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("System property " + PROPERTY + " names " + root
                    + ", which is not a directory");
        }
        return root;
    }

    /**
     * Resolves a relative path below the test data root and checks that it exists.
     *
     * @param relativePath for example {@code "eventlogs/bios.bin"}; must stay inside the root
     * @throws IllegalArgumentException if the path is absolute or escapes the root
     * @throws IllegalStateException if the root is not configured or the file does not exist
     */
    public static Path resolve(String relativePath) {
        Path relative = Paths.get(relativePath);
        if (relative.isAbsolute()) {
            throw new IllegalArgumentException("Test data path must be relative to the test data root: "
                    + relativePath);
        }
        Path root = root();
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("Test data path " + relativePath + " leaves the test data root "
                    + root);
        }
        if (!Files.exists(resolved)) {
            throw new IllegalStateException("Test data " + relativePath + " not found: expected at "
                    + resolved + " (see MANIFEST.md in " + root + ")");
        }
        return resolved;
    }

    /**
     * The content of a test data file.
     *
     * @see #resolve(String)
     */
    public static byte[] bytes(String relativePath) {
        Path file = resolve(relativePath);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read test data " + file, e);
        }
    }

    /**
     * The content of a test data text file, decoded as UTF-8.
     *
     * @see #resolve(String)
     */
    public static String text(String relativePath) {
        return new String(bytes(relativePath), StandardCharsets.UTF_8);
    }
}
