package org.vtpmmigrate.protocol.wire;

/**
 * Destination to source: the TPM2B_PUBLIC of the PCR-bound ECDH key, and TPM2_Certify's
 * TPMS_ATTEST and AK signature over it, with the transcript hash as qualifyingData.
 */
public record BoundKeyOffer(Bytes publicArea, Bytes certifyInfo, Bytes certifySignature) implements Message {
    public BoundKeyOffer {
        Require.length("publicArea", publicArea, 1, Limits.MAX_PUBLIC_AREA_LENGTH);
        Require.length("certifyInfo", certifyInfo, 1, Limits.MAX_ATTEST_LENGTH);
        Require.length("certifySignature", certifySignature, 1, Limits.MAX_SIGNATURE_LENGTH);
    }

    @Override
    public MessageType type() {
        return MessageType.BOUND_KEY_OFFER;
    }
}
