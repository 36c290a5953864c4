package org.vtpmmigrate.tpm.internal;

import org.vtpmmigrate.tpm.TpmException;
import org.vtpmmigrate.tpm.TpmResponseCode;

import tss.Tpm;
import tss.TpmCallbackInterface;
import tss.tpm.TPM_CC;
import tss.tpm.TPM_HANDLE;
import tss.tpm.TPM_RC;

/**
 * Runs TSS.Java commands and turns every outcome into either a result with the raw response or a
 * {@link TpmException} naming the operation: TPM error codes (decoded, with a hint where the
 * operation knows what a code means), transport failures, and responses TSS.Java cannot decode.
 * TSS.Java's own error handling is switched off per command ({@code _allowErrors}), which also
 * keeps it from printing to standard output.
 */
final class CommandExecutor implements TpmCallbackInterface {

    /** One TSS.Java call. */
    @FunctionalInterface
    interface TpmCall<T> {
        T invoke(Tpm tpm);
    }

    /** Explains what a response code most likely means for this operation; "" if nothing to add. */
    @FunctionalInterface
    interface Hint {
        String explain(TpmResponseCode code);
    }

    /** A call's decoded result together with the response bytes it came from. */
    record Executed<T>(T result, RawResponse response) {
    }

    static final Hint NO_HINT = code -> "";

    private final Tpm tpm = new Tpm();
    private final Hint generalHint;
    private byte[] lastResponse;

    /**
     * @param generalHint explains codes any command can meet (out of object memory, say) when the
     *        operation's own hint has nothing to say
     */
    CommandExecutor(FramedTpmDevice device, Hint generalHint) {
        this.generalHint = generalHint;
        tpm._setDevice(device);
        tpm._setCallback(this);
    }

    @Override
    public void commandCompleteCallback(TPM_CC command, TPM_RC responseCode, byte[] commandBytes,
            byte[] responseBytes) {
        lastResponse = responseBytes;
    }

    <T> T execute(String operation, TpmCall<T> call) throws TpmException {
        return executeRaw(operation, NO_HINT, call).result();
    }

    <T> T execute(String operation, Hint hint, TpmCall<T> call) throws TpmException {
        return executeRaw(operation, hint, call).result();
    }

    <T> Executed<T> executeRaw(String operation, TpmCall<T> call) throws TpmException {
        return executeRaw(operation, NO_HINT, call);
    }

    <T> Executed<T> executeRaw(String operation, Hint hint, TpmCall<T> call) throws TpmException {
        lastResponse = null;
        T result;
        try {
            tpm._allowErrors();
            result = call.invoke(tpm);
        } catch (TransportFailure e) {
            throw new TpmException(e.kind(), operation, e.getMessage(), e);
        } catch (RuntimeException e) {
            if (lastResponse == null) {
                // Nothing reached the TPM: the command could not be built, which is a bug here.
                throw e;
            }
            throw new TpmException(TpmException.Kind.MALFORMED_RESPONSE, operation,
                    "TSS.Java could not decode the response: " + e, e);
        } finally {
            // Explicit sessions apply to one command only, even if it never went out.
            tpm._withSessions((TPM_HANDLE[]) null);
        }
        if (lastResponse == null) {
            throw new TpmException(TpmException.Kind.TRANSPORT, operation, "no response was received", null);
        }
        RawResponse response = new RawResponse(operation, lastResponse);
        int responseCode = response.responseCode();
        if (responseCode != 0) {
            TpmResponseCode decoded = ResponseCodes.decode(responseCode);
            String explanation = hint.explain(decoded);
            throw new TpmException(operation, decoded,
                    explanation.isEmpty() ? generalHint.explain(decoded) : explanation);
        }
        return new Executed<>(result, response);
    }

    /** Closes the device. */
    void close() {
        tpm._getDevice().close();
    }
}
