package org.vtpmmigrate.attest.policy.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.attest.ima.ImaEntry;
import org.vtpmmigrate.attest.policy.Finding;
import org.vtpmmigrate.attest.policy.Finding.Category;
import org.vtpmmigrate.attest.policy.Finding.Location;
import org.vtpmmigrate.attest.policy.Finding.Severity;

/** Collects the findings of one evaluation, with the location helpers every check shares. */
final class Findings {
    /** Longest list of log entries quoted in a finding's detail. */
    static final int MAX_LISTED_ENTRIES = 12;

    private final List<Finding> list = new ArrayList<>();

    void error(Category c, Location where, String expected, String actual, String message, String detail) {
        list.add(new Finding(Severity.ERROR, c, where, expected, actual, message, detail));
    }

    void warning(Category c, Location where, String expected, String actual, String message, String detail) {
        list.add(new Finding(Severity.WARNING, c, where, expected, actual, message, detail));
    }

    boolean hasError(Category c) {
        return list.stream().anyMatch(f -> f.isError() && f.category() == c);
    }

    List<Finding> all() {
        return List.copyOf(list);
    }

    // ---- locations ----

    static Location event(TcgEvent e) {
        return new Location("event " + e.index() + " (PCR " + e.pcrIndex() + ", " + e.typeName() + ")",
                Optional.empty(), e.isExtended() ? OptionalInt.of((int) e.pcrIndex()) : OptionalInt.empty(),
                OptionalInt.of(e.index()), Optional.empty());
    }

    static Location imaEntry(ImaEntry e) {
        Optional<String> path = e.filePath();
        return new Location("IMA entry " + e.index() + " (" + e.location() + ")" + path.map(p -> " " + p).orElse(""),
                Optional.empty(), OptionalInt.of(e.pcr()), OptionalInt.of(e.index()), path);
    }

    static Location pcrOnly(int pcr) {
        return new Location("PCR " + pcr, Optional.empty(), OptionalInt.of(pcr), OptionalInt.empty(), Optional.empty());
    }

    // ---- text helpers ----

    /** "event 12 EV_EFI_ACTION Text[...]" lines, at most {@link #MAX_LISTED_ENTRIES}, then "... and n more". */
    static <E> String listEntries(List<E> entries, java.util.function.Function<E, String> label) {
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(entries.size(), MAX_LISTED_ENTRIES);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                sb.append('\n');
            }
            sb.append(label.apply(entries.get(i)));
        }
        if (entries.size() > shown) {
            sb.append("\n... and ").append(entries.size() - shown).append(" more");
        }
        return sb.toString();
    }

    /** "a, b or c" for up to a few allowed values; a count beyond that. */
    static String oneOf(Collection<String> allowed, String what) {
        if (allowed.isEmpty()) {
            return "no " + what + " is allowed";
        }
        if (allowed.size() <= 4) {
            return allowed.size() == 1 ? allowed.iterator().next() : "one of " + String.join(", ", allowed);
        }
        return "one of the " + allowed.size() + " allowed " + what + "s";
    }

    static String label(TcgEvent e) {
        return "event " + e.index() + " " + e.typeName() + e.decoded().map(d -> " " + d).orElse("");
    }

    /** What PC Client firmware and Linux put into a PCR, to make a PCR number mean something. */
    static String purpose(int pcr) {
        return switch (pcr) {
            case 0 -> "firmware code";
            case 1 -> "firmware configuration";
            case 2 -> "option ROM and driver code";
            case 3 -> "option ROM and driver configuration";
            case 4 -> "boot loader code";
            case 5 -> "boot loader configuration and partition table";
            case 6 -> "platform-specific events";
            case 7 -> "Secure Boot policy";
            case 8, 9 -> "boot loader commands, kernel and initrd";
            case 10 -> "IMA runtime measurements";
            case 11 -> "unified kernel image";
            case 12 -> "kernel command line and credentials";
            case 13 -> "system extensions";
            case 14 -> "shim MOK certificates";
            case 15 -> "system identity";
            case 16 -> "debug";
            case 23 -> "application support";
            default -> "operating system use";
        };
    }
}
