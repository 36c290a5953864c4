package org.vtpmmigrate.management;

import java.util.List;
import org.vtpmmigrate.management.internal.Check;

/**
 * The enrolled peers of a host: {@code GET /v1/peers}.
 *
 * @param peers every enrolled peer, by host id
 */
public record PeerList(List<PeerSummary> peers) {
    public PeerList {
        peers = Check.list("peers", peers, 0, 10_000);
    }
}
