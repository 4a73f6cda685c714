package io.pgreplication.camel;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.OffsetStore;
import io.pgreplication.camel.server.PgReplicationSetupException;
import org.apache.camel.spi.StateRepository;
import org.apache.camel.support.service.ServiceHelper;

/**
 * The {@code offsetRepository} option: a Camel {@link StateRepository} (e.g. {@code FileStateRepository}) that holds a
 * slot's confirmed position per server, key {@code <slot>@<system identifier>}, value {@code X/XXXXXXXX}; an empty
 * value means cleared. How durable it is, is the repository's business (docs/high-availability.md).
 */
final class RepositoryOffsetStore implements OffsetStore {

    private final StateRepository<String, String> repository;

    RepositoryOffsetStore(StateRepository<String, String> repository) {
        this.repository = repository;
    }

    /** Starts the repository unless it runs already: FileStateRepository reads its file when it starts. */
    void start() {
        ServiceHelper.startService(repository);
    }

    @Override
    public boolean isConfigured() {
        return true;
    }

    @Override
    public Lsn recorded(String slot, String systemIdentifier) {
        String key = OffsetStore.key(slot, systemIdentifier);
        String value = repository.getState(key);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Lsn.parse(value.trim());
        } catch (IllegalArgumentException e) {
            throw new PgReplicationSetupException("slot=" + slot + ": the offsetRepository holds '" + value + "' under"
                                                  + " key " + key + ", which is not an LSN (X/XXXXXXXX). Set it to the"
                                                  + " slot's last confirmed position, or to an empty value to clear it");
        }
    }

    @Override
    public void record(String slot, String systemIdentifier, Lsn confirmed) {
        repository.setState(OffsetStore.key(slot, systemIdentifier), confirmed.toString());
    }

    @Override
    public void clear(String slot, String systemIdentifier) {
        String key = OffsetStore.key(slot, systemIdentifier);
        if (repository.getState(key) != null) {
            repository.setState(key, "");
        }
    }
}
