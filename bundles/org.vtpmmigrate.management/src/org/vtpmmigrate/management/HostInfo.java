package org.vtpmmigrate.management;

import java.time.Instant;
import java.util.List;
import org.vtpmmigrate.management.internal.Check;

/**
 * What an agent says about itself: {@code GET /v1/host}.
 *
 * @param hostId the agent's host id (the CN of its certificate)
 * @param tpmConnector how the agent reaches its platform TPM, e.g. {@code swtpm:127.0.0.1:2321} or
 *        {@code device:/dev/tpmrm0}
 * @param tpmDescription manufacturer, vendor strings and firmware version as the TPM reports them
 * @param engineVersion the engine bundle version
 * @param apiVersion the management API version the agent serves, {@code v1}
 * @param protocolVersions migration protocol versions the agent speaks, preferred first
 * @param qemuVersion QEMU version found on the host, or null when unknown
 * @param swtpmVersion swtpm version found on the host, or null when unknown
 * @param enrolment whether the host's attestation key is enrolled
 */
public record HostInfo(String hostId, String tpmConnector, String tpmDescription, String engineVersion,
        String apiVersion, List<String> protocolVersions, String qemuVersion, String swtpmVersion,
        Enrolment enrolment) {

    public HostInfo {
        Check.identifier("hostId", hostId);
        Check.text("tpmConnector", tpmConnector, Check.MAX_LABEL);
        Check.text("tpmDescription", tpmDescription, Check.MAX_LABEL);
        Check.text("engineVersion", engineVersion, Check.MAX_LABEL);
        Check.text("apiVersion", apiVersion, 16);
        protocolVersions = Check.distinct("protocolVersions", protocolVersions, 0, 16);
        for (int i = 0; i < protocolVersions.size(); i++) {
            Check.text("protocolVersions[" + i + "]", protocolVersions.get(i), 32);
        }
        Check.optionalText("qemuVersion", qemuVersion, Check.MAX_LABEL);
        Check.optionalText("swtpmVersion", swtpmVersion, Check.MAX_LABEL);
        Check.required("enrolment", enrolment);
    }

    /** Enrolment values of {@link Enrolment#state()}. */
    public enum EnrolmentState {
        /** No enrolment was attempted; the host cannot take part in migrations. */
        NOT_ENROLLED,
        /** The EK certificate chains to a trusted CA and the AK was activated against that EK. */
        ENROLLED,
        /** Enrolment was attempted and refused; {@link Enrolment#reason()} says why. */
        FAILED
    }

    /**
     * @param state one of {@link EnrolmentState}, as its name
     * @param ekCertificateSubject subject DN of the EK certificate, or null when none was read
     * @param akName TPM name of the attestation key (algorithm id + digest, lower-case hex), or null
     * @param enrolledAt when the AK was activated, or null unless {@code ENROLLED}
     * @param reason why enrolment failed, or null
     */
    public record Enrolment(String state, String ekCertificateSubject, String akName, Instant enrolledAt,
            String reason) {
        public Enrolment {
            Check.token("state", state);
            Check.optionalText("ekCertificateSubject", ekCertificateSubject, Check.MAX_TEXT);
            Check.optionalHex("akName", akName, 2, 66);
            Check.optionalText("reason", reason, Check.MAX_TEXT);
        }
    }
}
