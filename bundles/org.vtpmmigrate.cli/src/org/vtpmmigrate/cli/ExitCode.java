package org.vtpmmigrate.cli;

/** The CLI's exit codes; scripts rely on them, so they never change meaning. */
public enum ExitCode {
    /** Done; the evidence or operation is valid. */
    OK(0),
    /** A negative verdict: invalid evidence, refused migration. */
    REFUSED(1),
    /** Usage error or malformed input: nothing was judged. */
    USAGE(2);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
