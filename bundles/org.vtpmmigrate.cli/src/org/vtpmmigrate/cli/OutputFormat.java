package org.vtpmmigrate.cli;

/** The {@code --format} of commands that print for people or for programs. */
enum OutputFormat {
    TEXT, JSON;

    static OutputFormat parse(String value) throws UsageException {
        return switch (value) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new UsageException("--format must be text or json, got '" + value + "'");
        };
    }
}
