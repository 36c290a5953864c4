package org.vtpmmigrate.audit;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The verification outcome for one line of a log file.
 *
 * @param line 1-based line number
 * @param offset byte offset of the line's first byte in the file
 * @param length bytes the line occupies, its newline included
 * @param sequence the sequence number as written: the parsed record's, or for a line that could not
 *        be parsed the number at its start, if there is one
 * @param record the record, if the line could be parsed (even when other checks failed; then its
 *        content must not be trusted)
 * @param problems every problem found, empty for {@link RecordStatus#OK}
 */
public record RecordResult(int line, long offset, int length, OptionalLong sequence, Optional<AuditRecord> record,
        List<RecordProblem> problems) {

    public RecordResult {
        problems = List.copyOf(problems);
    }

    /** The weightiest status among the problems, or OK. */
    public RecordStatus status() {
        return problems.stream().map(RecordProblem::status).max(Comparator.naturalOrder()).orElse(RecordStatus.OK);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** The first problem of the weightiest status, or empty when OK. */
    public Optional<RecordProblem> mainProblem() {
        RecordStatus s = status();
        return problems.stream().filter(p -> p.status() == s).findFirst();
    }

    /** "line 7 (sequence 6)" or "line 7" when the sequence number could not be read. */
    public String location() {
        return "line " + line + (sequence.isPresent() ? " (sequence " + sequence.getAsLong() + ")" : "");
    }
}
