package org.vtpmmigrate.management.internal;

import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.vtpmmigrate.management.Role;

/** Subject names of the administrator PKI: {@code CN=<name>,OU=<role>,O=vTPM Migrate}. */
public final class Subjects {
    public static final String ORGANISATION = "vTPM Migrate";

    private Subjects() {
    }

    /** The name of an end-entity certificate for {@code role}. */
    public static X500Name endEntity(String commonName, Role role) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, ORGANISATION)
                .addRDN(BCStyle.OU, role.organisationalUnit()).addRDN(BCStyle.CN, commonName).build();
    }

    /** The name of the CA certificate. */
    public static X500Name authority(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, ORGANISATION)
                .addRDN(BCStyle.CN, commonName).build();
    }

    /** The subject in RFC 2253 form, as logs and audit records show it. */
    public static String rfc2253(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }

    /** The single CN of the subject, or empty if there is none or more than one. */
    public static Optional<String> commonName(X509Certificate certificate) {
        return single(certificate, BCStyle.CN);
    }

    /** The role named by the subject's single OU, or empty. */
    public static Optional<Role> role(X509Certificate certificate) {
        return single(certificate, BCStyle.OU).flatMap(Role::fromOrganisationalUnit);
    }

    private static Optional<String> single(X509Certificate certificate, ASN1ObjectIdentifier attribute) {
        X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        RDN[] rdns = name.getRDNs(attribute);
        if (rdns.length != 1 || rdns[0].isMultiValued()) {
            return Optional.empty();
        }
        return Optional.of(IETFUtils.valueToString(rdns[0].getFirst().getValue()));
    }
}
