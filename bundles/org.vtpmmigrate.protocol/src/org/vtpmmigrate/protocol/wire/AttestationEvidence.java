package org.vtpmmigrate.protocol.wire;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A host's answer to a challenge. TPM structures are opaque here ({@code quote} is the TPMS_ATTEST,
 * {@code signature} the TPMT_SIGNATURE); the verifier parses them. PCR values are strictly ordered
 * by bank and index; the logs may be empty; launch measurements are those of the migrating VM (the
 * source's evidence) and empty in the destination's.
 */
public record AttestationEvidence(Bytes quote, Bytes signature, List<PcrValue> pcrValues, Bytes eventLog,
        Bytes imaLog, List<LaunchMeasurement> launchMeasurements) implements Message {
    public AttestationEvidence {
        Require.length("quote", quote, 1, Limits.MAX_ATTEST_LENGTH);
        Require.length("signature", signature, 1, Limits.MAX_SIGNATURE_LENGTH);
        pcrValues = Require.list("pcrValues", pcrValues, 0, Limits.MAX_PCR_VALUES);
        for (int i = 1; i < pcrValues.size(); i++) {
            if (pcrValues.get(i).compareTo(pcrValues.get(i - 1)) <= 0) {
                throw new IllegalArgumentException("pcrValues: entry " + i + " (bank "
                        + MessageType.hex(pcrValues.get(i).hashAlgorithm()) + ", PCR " + pcrValues.get(i).index()
                        + ") is not after the previous one: values must be ordered by bank and index, no repeats");
            }
        }
        Require.length("eventLog", eventLog, 0, Limits.MAX_EVENT_LOG_LENGTH);
        Require.length("imaLog", imaLog, 0, Limits.MAX_IMA_LOG_LENGTH);
        launchMeasurements = Require.list("launchMeasurements", launchMeasurements, 0, Limits.MAX_LAUNCH_MEASUREMENTS);
        Set<String> names = new HashSet<>();
        for (LaunchMeasurement m : launchMeasurements) {
            if (!names.add(m.name())) {
                throw new IllegalArgumentException("launchMeasurements: '" + m.name() + "' listed twice");
            }
        }
    }

    @Override
    public MessageType type() {
        return MessageType.ATTESTATION_EVIDENCE;
    }
}
