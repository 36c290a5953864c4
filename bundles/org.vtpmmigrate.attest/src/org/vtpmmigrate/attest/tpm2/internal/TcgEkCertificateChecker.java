package org.vtpmmigrate.attest.tpm2.internal;

import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * Recognises, for the EK certificate only, the extensions the TCG EK Credential Profile makes
 * critical or uses in its own way: subjectAltName holding the TPM identity as a
 * directoryName (critical whenever the subject is empty) and subjectDirectoryAttributes
 * holding the TPM specification. A subjectAltName that does not decode fails validation.
 * Stateless, as PKIXParameters clones its checkers.
 */
public final class TcgEkCertificateChecker extends PKIXCertPathChecker {
    public static final String SUBJECT_ALT_NAME = "2.5.29.17";
    public static final String SUBJECT_DIRECTORY_ATTRIBUTES = "2.5.29.9";
    private static final ASN1ObjectIdentifier TPM_MANUFACTURER = new ASN1ObjectIdentifier("2.23.133.2.1");
    private static final ASN1ObjectIdentifier TPM_MODEL = new ASN1ObjectIdentifier("2.23.133.2.2");
    private static final ASN1ObjectIdentifier TPM_VERSION = new ASN1ObjectIdentifier("2.23.133.2.3");

    /** The TPM identity attributes of an EK certificate's subjectAltName. */
    public record TpmIdentity(Optional<String> manufacturer, Optional<String> model, Optional<String> version) {
    }

    private final X509Certificate ekCertificate;

    public TcgEkCertificateChecker(X509Certificate ekCertificate) {
        this.ekCertificate = ekCertificate;
    }

    @Override
    public void init(boolean forward) throws CertPathValidatorException {
        if (forward) {
            throw new CertPathValidatorException("forward checking not supported");
        }
    }

    @Override
    public boolean isForwardCheckingSupported() {
        return false;
    }

    @Override
    public Set<String> getSupportedExtensions() {
        return Set.of(SUBJECT_ALT_NAME, SUBJECT_DIRECTORY_ATTRIBUTES);
    }

    @Override
    public void check(Certificate cert, Collection<String> unresolvedCritExts) throws CertPathValidatorException {
        if (!ekCertificate.equals(cert)) {
            return;
        }
        try {
            tpmIdentity(ekCertificate);
        } catch (IllegalArgumentException e) {
            throw new CertPathValidatorException("EK certificate subjectAltName: " + e.getMessage(), e);
        }
        unresolvedCritExts.remove(SUBJECT_ALT_NAME);
        unresolvedCritExts.remove(SUBJECT_DIRECTORY_ATTRIBUTES);
    }

    /**
     * Reads manufacturer, model and version from the subjectAltName directoryName.
     *
     * @throws IllegalArgumentException if the extension does not decode
     */
    public static TpmIdentity tpmIdentity(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(SUBJECT_ALT_NAME);
        String manufacturer = null;
        String model = null;
        String version = null;
        if (ext != null) {
            GeneralNames names = GeneralNames.getInstance(ASN1OctetString.getInstance(ext).getOctets());
            for (GeneralName n : names.getNames()) {
                if (n.getTagNo() != GeneralName.directoryName) {
                    continue;
                }
                for (RDN rdn : X500Name.getInstance(n.getName()).getRDNs()) {
                    for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                        String value = atv.getValue() instanceof ASN1String s ? s.getString() : atv.getValue().toString();
                        if (atv.getType().equals(TPM_MANUFACTURER)) {
                            manufacturer = value;
                        } else if (atv.getType().equals(TPM_MODEL)) {
                            model = value;
                        } else if (atv.getType().equals(TPM_VERSION)) {
                            version = value;
                        }
                    }
                }
            }
        }
        return new TpmIdentity(Optional.ofNullable(manufacturer), Optional.ofNullable(model), Optional.ofNullable(version));
    }
}
