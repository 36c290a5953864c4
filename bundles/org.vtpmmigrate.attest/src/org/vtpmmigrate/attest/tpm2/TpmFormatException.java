package org.vtpmmigrate.attest.tpm2;

/**
 * A TPM structure or tpm2-tools file that cannot be decoded: truncated, oversized, an unknown
 * algorithm, reserved bits, trailing bytes. Names the field and the byte offset where decoding
 * stopped, so a bad message can be located in a capture.
 */
public final class TpmFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final int offset;

    public TpmFormatException(String field, int offset, String problem) {
        super(field + " at offset " + offset + ": " + problem);
        this.field = field;
        this.offset = offset;
    }

    /** Dotted path of the field being decoded, e.g. {@code TPMS_ATTEST.extraData}. */
    public String field() {
        return field;
    }

    /** Offset in bytes from the start of the decoded input. */
    public int offset() {
        return offset;
    }
}
