package org.vtpmmigrate.management;

import java.util.List;
import org.vtpmmigrate.management.internal.Check;

/**
 * Fresh platform evidence of an agent. The agent reports; it does not vouch: a caller verifies the
 * signature with {@code akPublic}, the nonce inside {@code quoted}, and the PCR digest against
 * {@code pcrs} and the logs.
 *
 * @param hostId the reporting host
 * @param nonce the nonce of the request, echoed (base64)
 * @param quoted the TPMS_ATTEST structure the AK signed (base64)
 * @param signature the TPMT_SIGNATURE over {@code quoted} (base64)
 * @param akPublic the AK's TPM2B_PUBLIC (base64)
 * @param akName the AK's TPM name, lower-case hex
 * @param pcrs the quoted PCR values
 * @param eventLog the TCG binary boot event log (base64), or null when not requested or not available
 * @param imaLog the IMA ASCII runtime measurement list (base64), or null when not requested or not available
 * @param ekCertificateChain the EK certificate and its issuers, DER in base64, EK certificate first
 */
public record HostEvidence(String hostId, String nonce, String quoted, String signature, String akPublic,
        String akName, List<PcrValue> pcrs, String eventLog, String imaLog, List<String> ekCertificateChain) {

    public HostEvidence {
        Check.identifier("hostId", hostId);
        Check.base64("nonce", nonce, 16, 64);
        Check.base64("quoted", quoted);
        Check.base64("signature", signature);
        Check.base64("akPublic", akPublic);
        Check.hex("akName", akName, 2, 66);
        pcrs = Check.list("pcrs", pcrs, 1, 4 * 24);
        Check.optionalBase64("eventLog", eventLog);
        Check.optionalBase64("imaLog", imaLog);
        ekCertificateChain = Check.list("ekCertificateChain", ekCertificateChain, 0, 8);
        for (int i = 0; i < ekCertificateChain.size(); i++) {
            Check.base64("ekCertificateChain[" + i + "]", ekCertificateChain.get(i));
        }
    }

    /**
     * @param bank the PCR bank, e.g. {@code sha256}
     * @param index the PCR index 0..23
     * @param value the PCR value, lower-case hex of the bank's digest size
     */
    public record PcrValue(String bank, int index, String value) {
        public PcrValue {
            int size = Check.digestSize("bank", bank);
            Check.range("index", index, 0, 23);
            Check.hex("value", value, size, size);
        }
    }
}
