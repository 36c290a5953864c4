package org.vtpmmigrate.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Options ({@code --name value}, {@code --flag}) and positional arguments of one subcommand, checked. */
final class Arguments {
    private final Map<String, String> options = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Arguments() {
    }

    /**
     * @param valued options that take a value
     * @param flags options that take none
     */
    static Arguments parse(List<String> args, Set<String> valued, Set<String> flags) throws UsageException {
        Arguments parsed = new Arguments();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                if (flags.contains(a)) {
                    parsed.options.put(a, "");
                } else if (valued.contains(a)) {
                    if (i + 1 == args.size()) {
                        throw new UsageException(a + " needs a value");
                    }
                    parsed.options.put(a, args.get(++i));
                } else {
                    throw new UsageException("unknown option " + a);
                }
            } else {
                parsed.positional.add(a);
            }
        }
        return parsed;
    }

    String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    String requiredOption(String name) throws UsageException {
        String v = options.get(name);
        if (v == null) {
            throw new UsageException(name + " is required");
        }
        return v;
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    List<String> positional() {
        return positional;
    }

    /** The single positional argument, or a usage error naming what was expected. */
    String onePositional(String what) throws UsageException {
        if (positional.size() != 1) {
            throw new UsageException("expected one " + what + ", got " + positional.size() + " arguments");
        }
        return positional.get(0);
    }

    /** An integer option within {@code min..max}, or a usage error naming the option and its range. */
    long number(String name, String fallback, long min, long max) throws UsageException {
        String value = option(name, fallback);
        try {
            long n = Long.parseLong(value);
            if (n < min || n > max) {
                throw new UsageException(name + " " + n + " outside " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " '" + value + "' is not a number");
        }
    }

    /** The directory named by {@code --work} (created if needed), or a new temporary one. */
    Path workDirectory(String tempPrefix) throws UsageException {
        String named = option("--work", null);
        try {
            return named == null ? Files.createTempDirectory(tempPrefix) : Files.createDirectories(Paths.get(named));
        } catch (IOException e) {
            throw new UsageException("cannot create the work directory: " + e.getMessage());
        }
    }

    /** A readable regular file, or a usage error naming it. */
    static Path readableFile(String name) throws UsageException {
        Path p = Paths.get(name);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new UsageException(name + ": not a readable file");
        }
        return p;
    }
}
