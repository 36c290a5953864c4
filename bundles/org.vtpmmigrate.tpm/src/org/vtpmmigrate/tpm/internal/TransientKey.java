package org.vtpmmigrate.tpm.internal;

import org.vtpmmigrate.tpm.AkAlgorithm;
import org.vtpmmigrate.tpm.AttestationKey;
import org.vtpmmigrate.tpm.BoundDecryptionKey;
import org.vtpmmigrate.tpm.BoundKeyPolicy;
import org.vtpmmigrate.tpm.PcrValues;
import org.vtpmmigrate.tpm.TpmException;
import org.vtpmmigrate.tpm.TpmKeyHandle;
import org.vtpmmigrate.tpm.TpmKeyPublic;

/** A key loaded on one {@link TssTpmConnection}; its open flag is guarded by that connection. */
abstract class TransientKey implements TpmKeyHandle {

    private final TssTpmConnection owner;
    private final int handle;
    private final TpmKeyPublic keyPublic;
    private boolean open = true;

    TransientKey(TssTpmConnection owner, int handle, TpmKeyPublic keyPublic) {
        this.owner = owner;
        this.handle = handle;
        this.keyPublic = keyPublic;
    }

    /** What the key is, for messages: "attestation key", "bound key". */
    abstract String kind();

    @Override
    public final int handle() {
        return handle;
    }

    @Override
    public final TpmKeyPublic keyPublic() {
        return keyPublic;
    }

    @Override
    public final boolean isOpen() {
        synchronized (owner) {
            return open && owner.isOpen();
        }
    }

    @Override
    public final void close() throws TpmException {
        owner.flushKey(this);
    }

    final TssTpmConnection owner() {
        return owner;
    }

    /** Guarded by the owner. */
    final boolean openFlag() {
        return open;
    }

    /** Guarded by the owner. */
    final void markClosed() {
        open = false;
    }

    /** For example "attestation key 0x80000001". */
    final String label() {
        return kind() + " " + TssTpmConnection.hex(handle);
    }

    @Override
    public final String toString() {
        return label() + (open ? "" : " (flushed)");
    }

    static final class Attestation extends TransientKey implements AttestationKey {
        private final AkAlgorithm algorithm;

        Attestation(TssTpmConnection owner, int handle, TpmKeyPublic keyPublic, AkAlgorithm algorithm) {
            super(owner, handle, keyPublic);
            this.algorithm = algorithm;
        }

        @Override
        String kind() {
            return "attestation key";
        }

        @Override
        public AkAlgorithm algorithm() {
            return algorithm;
        }
    }

    static final class Bound extends TransientKey implements BoundDecryptionKey {
        private final PcrValues boundValues;
        private final BoundKeyPolicy policy;
        private final byte[] authPolicy;
        private final byte[] pcrDigest;

        Bound(TssTpmConnection owner, int handle, TpmKeyPublic keyPublic, PcrValues boundValues,
                BoundKeyPolicy policy, byte[] authPolicy, byte[] pcrDigest) {
            super(owner, handle, keyPublic);
            this.boundValues = boundValues;
            this.policy = policy;
            this.authPolicy = authPolicy.clone();
            this.pcrDigest = pcrDigest.clone();
        }

        @Override
        String kind() {
            return "bound key";
        }

        @Override
        public PcrValues boundValues() {
            return boundValues;
        }

        @Override
        public BoundKeyPolicy policy() {
            return policy;
        }

        @Override
        public byte[] authPolicy() {
            return authPolicy.clone();
        }

        /** The pcrDigest to hand to PolicyPCR. */
        byte[] pcrDigest() {
            return pcrDigest.clone();
        }
    }
}
