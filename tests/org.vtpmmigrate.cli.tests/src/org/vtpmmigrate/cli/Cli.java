package org.vtpmmigrate.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.vtpmmigrate.testsupport.TestData;

/**
 * Runs one command through {@link Main#run} as the launcher does, capturing stdout, the stderr
 * Main writes and what the command itself writes to {@code System.err} (notes and refusals that
 * must not land in a redirected stdout).
 */
final class Cli {
    record Run(ExitCode exit, String out, String err) {
        /** The stderr lines, for "one line" assertions. */
        List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    static synchronized Run run(Command command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream systemErr = System.err;
        ExitCode exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(e);
            try {
                exit = new Main(List.of(command)).run(List.of(args), o, e);
            } finally {
                System.setErr(systemErr);
            }
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A corpus file's absolute path, as an argument. */
    static String data(String relative) {
        return TestData.resolve(relative).toString();
    }

    static String text(String relative) {
        try {
            return Files.readString(TestData.resolve(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final List<Path> LINKS = new java.util.ArrayList<>();

    /** Links a corpus file into a directory under another name (the evidence layout); never a copy. */
    static synchronized void link(Path dir, String name, String relative) {
        try {
            LINKS.add(Files.createSymbolicLink(dir.resolve(name), TestData.resolve(relative)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Removes the links made so far (not their targets), so the temporary directory's own clean-up
     * finds no link pointing into the corpus.
     */
    static synchronized void unlinkAll() {
        try {
            for (Path link : LINKS) {
                Files.deleteIfExists(link);
            }
            LINKS.clear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
