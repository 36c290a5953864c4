package org.vtpmmigrate.tpm;

/**
 * A key loaded in the TPM for the life of one {@link TpmConnection}. Closing it flushes it from
 * the TPM; closing the connection flushes any key still open.
 */
public interface TpmKeyHandle extends AutoCloseable {

    /** The transient TPM handle, for example 0x80000001. */
    int handle();

    /** The key's public area and name. */
    TpmKeyPublic keyPublic();

    /** Whether the key is still loaded (not yet closed, and its connection open). */
    boolean isOpen();

    /**
     * Flushes the key from the TPM. Closing again does nothing.
     *
     * @throws TpmException if the TPM refuses the flush or cannot be reached
     */
    @Override
    void close() throws TpmException;
}
