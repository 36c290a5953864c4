package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** Locates the shared test corpus (system property {@code vtpm.testdata}); never copies it. */
final class TestData {
    private TestData() {
    }

    static Path root() {
        String p = System.getProperty("vtpm.testdata");
        if (p == null || p.isBlank()) {
            fail("system property vtpm.testdata is not set; run with -Dvtpm.testdata=/path/to/testdata");
        }
        Path root = Path.of(p);
        if (!Files.isDirectory(root.resolve("quotes"))) {
            fail("vtpm.testdata=" + p + " has no quotes/ directory");
        }
        return root;
    }

    static Path path(String relative) {
        Path f = root().resolve(relative);
        if (!Files.exists(f)) {
            fail("test data file missing: " + f);
        }
        return f;
    }

    static byte[] bytes(String relative) {
        return read(path(relative));
    }

    static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String relative) {
        return new String(bytes(relative), StandardCharsets.UTF_8);
    }

    /** A file holding one hex string (nonce.hex, *.policy.hex). */
    static byte[] hexFile(String relative) {
        return HexFormat.of().parseHex(text(relative).trim());
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }
}
