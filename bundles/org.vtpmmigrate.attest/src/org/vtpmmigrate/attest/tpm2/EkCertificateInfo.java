package org.vtpmmigrate.attest.tpm2;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * A validated EK certificate: the chain from it to the trust anchor (EK certificate first,
 * anchor last) and the TPM identity from its subjectAltName directoryName (TCG EK Credential
 * Profile: tcg-at-tpmManufacturer, tcg-at-tpmModel, tcg-at-tpmVersion), e.g. "id:00001014"
 * (IBM, used by swtpm), "swtpm", "id:20191023".
 */
public record EkCertificateInfo(List<X509Certificate> path, Optional<String> tpmManufacturer,
        Optional<String> tpmModel, Optional<String> tpmVersion) {
    public EkCertificateInfo {
        path = List.copyOf(path);
    }

    public X509Certificate certificate() {
        return path.get(0);
    }
}
