package org.vtpmmigrate.attest.policy;

/**
 * Evidence that cannot be read: a required file missing, a file too large, or a file whose
 * content is not what its name says (names the file and, where the parser knows it, the offset,
 * event or line).
 */
public final class EvidenceException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String file;

    public EvidenceException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public EvidenceException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault, as named in the evidence layout (e.g. {@code quote.pcrs}). */
    public String file() {
        return file;
    }
}
