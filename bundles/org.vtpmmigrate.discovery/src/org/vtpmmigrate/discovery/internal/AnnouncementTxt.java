package org.vtpmmigrate.discovery.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import org.vtpmmigrate.discovery.AgentAnnouncement;

/** How an {@link AgentAnnouncement} is carried by a DNS-SD service: instance name, SRV port and TXT. */
public final class AnnouncementTxt {
    /** The DNS-SD service type of vTPM Migrate agents. */
    public static final String SERVICE_TYPE = "_vtpm-migrate._tcp.local.";
    public static final String HOST_ID = "host-id";
    public static final String API = "api";
    public static final String API_V1 = "v1";
    public static final String PEER_PORT = "peer-port";
    public static final String TPM = "tpm";

    private static final Pattern PORT_DIGITS = Pattern.compile("[0-9]{1,5}");

    private AnnouncementTxt() {
    }

    public static byte[] encode(AgentAnnouncement announcement) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(API, API_V1);
        attributes.put(HOST_ID, announcement.hostId());
        attributes.put(PEER_PORT, Integer.toString(announcement.peerPort()));
        attributes.put(TPM, announcement.tpmKind());
        return TxtRecord.encode(attributes);
    }

    /**
     * Reads an announcement back from what a browser resolved.
     *
     * @param instanceName the DNS-SD instance name; must equal the TXT host id (a renamed instance such as
     *        {@code "a (2)"} means two agents announce the same host id)
     * @param srvPort the SRV port, the management port
     * @param txt the raw TXT data
     * @throws MalformedAnnouncementException naming the field that is missing or invalid
     */
    public static AgentAnnouncement decode(String instanceName, int srvPort, byte[] txt)
            throws MalformedAnnouncementException {
        Map<String, String> attributes = TxtRecord.decode(txt);
        String api = required(attributes, API);
        if (!API_V1.equals(api)) {
            throw new MalformedAnnouncementException("TXT " + API + " '" + api + "' is not supported (expected "
                    + API_V1 + ")");
        }
        String hostId = required(attributes, HOST_ID);
        if (!HostIds.isValid(hostId)) {
            throw new MalformedAnnouncementException("TXT " + HOST_ID + " '" + hostId + "' must be " + HostIds.RULE);
        }
        if (!hostId.equals(instanceName)) {
            throw new MalformedAnnouncementException("instance name '" + instanceName + "' differs from TXT "
                    + HOST_ID + " '" + hostId + "' (is the host id announced twice?)");
        }
        if (srvPort < 1 || srvPort > 65535) {
            throw new MalformedAnnouncementException("SRV port " + srvPort + " outside 1-65535");
        }
        String peerPort = required(attributes, PEER_PORT);
        if (!PORT_DIGITS.matcher(peerPort).matches()) {
            throw new MalformedAnnouncementException("TXT " + PEER_PORT + " '" + peerPort + "' is not a port number");
        }
        String tpm = required(attributes, TPM);
        try {
            return new AgentAnnouncement(hostId, srvPort, Integer.parseInt(peerPort), tpm);
        } catch (IllegalArgumentException e) {
            throw new MalformedAnnouncementException(e.getMessage());
        }
    }

    private static String required(Map<String, String> attributes, String key) throws MalformedAnnouncementException {
        String value = attributes.get(key);
        if (value == null) {
            throw new MalformedAnnouncementException("TXT has no " + key + " attribute");
        }
        return value;
    }
}
