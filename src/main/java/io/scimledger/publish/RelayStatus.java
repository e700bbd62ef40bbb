package io.scimledger.publish;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import org.hibernate.annotations.Immutable;

/**
 * Read-only view of a relay subscription's progress for operators (GET /admin/relay). Mapped with Hibernate
 * Reactive Panache because it is a plain row read; the relay itself writes the row over its locked connection.
 */
@Entity
@Immutable
@Table(name = "relay_checkpoint")
public class RelayStatus extends PanacheEntityBase {

    @Id
    @Column(columnDefinition = "text")
    public String subscription;

    @Column(name = "last_position")
    public long lastPosition;

    public long published;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;
}
