package org.vtpmmigrate.attest.eventlog;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

import org.vtpmmigrate.attest.HashAlgorithm;

/**
 * One digest of an event: the TPM algorithm id as logged and the digest bytes. Algorithms this
 * project does not implement are kept (their size comes from the Spec ID event) but cannot be
 * replayed. Immutable.
 */
public final class EventDigest {
    private final int algorithmId;
    private final byte[] value;

    EventDigest(int algorithmId, byte[] value) {
        this.algorithmId = algorithmId;
        this.value = value.clone();
    }

    /** TPM_ALG_ID as logged, e.g. 0x000B for SHA-256. */
    public int algorithmId() {
        return algorithmId;
    }

    /** The algorithm, when this project implements it. */
    public Optional<HashAlgorithm> algorithm() {
        return HashAlgorithm.fromTpmAlgId(algorithmId);
    }

    public byte[] value() {
        return value.clone();
    }

    /** The algorithm's bank name, or {@code alg:0x....} for an unknown one. */
    public String algorithmName() {
        return algorithm().map(HashAlgorithm::bankName).orElse(String.format("alg:0x%04X", algorithmId));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventDigest d && d.algorithmId == algorithmId && Arrays.equals(d.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * algorithmId + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return algorithmName() + ":" + HexFormat.of().formatHex(value);
    }
}
