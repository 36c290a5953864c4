package org.vtpmmigrate.attest.policy;

/**
 * A policy (or a Keylime runtime policy being imported, or an evidence file in JSON) that is not
 * valid: malformed JSON, a member of the wrong type, a value out of range, an unknown member, a
 * document over the size limit. Says where: the source name, the line, and the JSON path of the
 * value at fault, e.g. {@code policy.json line 12: pcrs.7.sha256[0]: expected 64 hex digits}.
 */
public final class PolicyFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String path;
    private final String problem;

    /**
     * @param source  file name or other name of the input
     * @param line    one-based line, 0 when the problem is the input as a whole
     * @param column  one-based column as far as the JSON reader knows it, 0 when unknown
     * @param path    JSON path of the value at fault, empty for the document as a whole
     * @param problem what is wrong, without the location
     */
    public PolicyFormatException(String source, int line, int column, String path, String problem) {
        super(source + (line > 0 ? " line " + line : "") + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
        this.source = source;
        this.line = line;
        this.column = column;
        this.path = path;
        this.problem = problem;
    }

    public String source() {
        return source;
    }

    /** One-based line; 0 when unknown or when the whole input is at fault. */
    public int line() {
        return line;
    }

    /** Approximate one-based column (where the JSON reader stood); 0 when unknown. */
    public int column() {
        return column;
    }

    /** JSON path of the value at fault ({@code pcrs.7.sha256[0]}); empty for the whole document. */
    public String path() {
        return path;
    }

    public String problem() {
        return problem;
    }
}
