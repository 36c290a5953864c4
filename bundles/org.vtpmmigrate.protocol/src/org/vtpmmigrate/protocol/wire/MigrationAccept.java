package org.vtpmmigrate.protocol.wire;

import java.util.List;

/**
 * Destination to source: the cipher suite chosen, and the offer exactly as the destination received
 * it, so the source sees at once whether someone shortened its offer (downgrade).
 */
public record MigrationAccept(int chosenSuite, List<Integer> offerAsReceived) implements Message {
    public MigrationAccept {
        Require.u16("chosenSuite", chosenSuite);
        offerAsReceived = Require.suiteIds("offerAsReceived", offerAsReceived);
    }

    @Override
    public MessageType type() {
        return MessageType.MIGRATION_ACCEPT;
    }
}
