package org.vtpmmigrate.attest.eventlog;

import java.util.List;
import java.util.Optional;

import org.vtpmmigrate.attest.HashAlgorithm;

/**
 * The TCG_EfiSpecIDEvent that opens a crypto-agile log ("Spec ID Event03"): the algorithms whose
 * digests every later event carries, with their sizes, so that digests of algorithms this
 * project does not implement can still be stepped over.
 */
public record SpecIdEvent(long platformClass, int specVersionMajor, int specVersionMinor, int specErrata,
        int uintnSize, List<AlgorithmSize> algorithms, byte[] vendorInfo) implements EventData {

    /** One entry of the algorithm table. */
    public record AlgorithmSize(int algorithmId, int digestSize) {
        public Optional<HashAlgorithm> algorithm() {
            return HashAlgorithm.fromTpmAlgId(algorithmId);
        }
    }

    public SpecIdEvent {
        algorithms = List.copyOf(algorithms);
        vendorInfo = vendorInfo.clone();
    }

    @Override
    public byte[] vendorInfo() {
        return vendorInfo.clone();
    }

    @Override
    public String toString() {
        return "SpecIdEvent[" + specVersionMajor + "." + specVersionMinor + " errata " + specErrata + ", algorithms "
                + algorithms + ", " + vendorInfo.length + " bytes vendorInfo]";
    }

    /** Digest size the table gives for {@code algorithmId}, if the table lists it. */
    public Optional<Integer> digestSize(int algorithmId) {
        for (AlgorithmSize a : algorithms) {
            if (a.algorithmId() == algorithmId) {
                return Optional.of(a.digestSize());
            }
        }
        return Optional.empty();
    }
}
