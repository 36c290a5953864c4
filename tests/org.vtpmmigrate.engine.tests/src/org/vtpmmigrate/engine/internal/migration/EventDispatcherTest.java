package org.vtpmmigrate.engine.internal.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.engine.migration.MigrationEvent;
import org.vtpmmigrate.protocol.Phase;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.testsupport.Await;

/** Listeners get every event in order, whatever another listener does. */
class EventDispatcherTest {
    @Test
    void aFailingListenerNeitherStopsNorReordersTheOthers() {
        List<Phase> seen = new CopyOnWriteArrayList<>();
        try (EventDispatcher events = new EventDispatcher("host-t")) {
            events.add(event -> {
                throw new IllegalStateException("a broken audit log");
            });
            events.add(event -> seen.add(((MigrationEvent.PhaseChanged) event).phase()));
            for (Phase phase : List.of(Phase.REQUEST, Phase.ATTESTATION, Phase.KEY_ESTABLISHMENT, Phase.TRANSFER)) {
                events.publish(new MigrationEvent.PhaseChanged("00", Role.SOURCE, "vm", Instant.now(),
                        Optional.empty(), phase, SessionState.NEW));
            }
            Await.until(() -> seen.size() == 4, Duration.ofSeconds(10), "four events at the second listener");
        }
        assertEquals(List.of(Phase.REQUEST, Phase.ATTESTATION, Phase.KEY_ESTABLISHMENT, Phase.TRANSFER), seen);
    }
}
