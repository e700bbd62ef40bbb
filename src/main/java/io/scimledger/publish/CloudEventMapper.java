package io.scimledger.publish;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.EventType;
import io.scimledger.events.JsonSupport;
import io.scimledger.events.StoredEvent;
import io.scimledger.events.StreamType;
import io.scimledger.scim.schema.ScimSchemas;
import io.scimledger.write.ETags;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Maps a log event to a Kafka record in CloudEvents binary mode (docs/events.md is the contract): attributes in
 * {@code ce_*} headers, the SCIM data as the JSON value, key = resource id so each resource's events stay in order
 * on one partition. Event types follow RFC 9967 ({@code urn:ietf:params:scim:event:prov:...}).
 */
public final class CloudEventMapper {

    static final String PROV = "urn:ietf:params:scim:event:prov:";
    static final String DATA_SCHEMA = "urn:scim-ledger:events:v1";
    static final String ADMIN = "urn:scim-ledger:event:admin:";

    private CloudEventMapper() {}

    /**
     * @param opened the event's payload with personal values decrypted (or dropped if the person was erased)
     */
    public static ProducerRecord<String, byte[]> toRecord(
            StoredEvent e, ObjectNode opened, String topic, String source) {
        RecordHeaders headers = new RecordHeaders();
        Map<String, String> ce = attributes(e, opened, source);
        ce.forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        headers.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, e.streamId().toString(), data(e, opened), headers);
    }

    /**
     * The record for the compacted state topic: the resource after the event, or a tombstone (null value) when the
     * resource is gone, which is what makes compaction forget it.
     */
    public static ProducerRecord<String, byte[]> toStateRecord(
            StoredEvent e, ObjectNode opened, String topic, String source) {
        ProducerRecord<String, byte[]> full = toRecord(e, opened, topic, source);
        byte[] value = e.type().isDeletion() ? null : full.value();
        // The compacted topic keeps each user's last record indefinitely: it says what the user is, not who asked
        // (the operator's identity is personal data of its own and belongs to the changelog's retention).
        for (String actorHeader : ACTOR_HEADERS) {
            full.headers().remove(actorHeader);
        }
        return new ProducerRecord<>(topic, null, full.key(), value, full.headers());
    }

    /** Who asked: on the changelog records only (see {@link #toStateRecord}). */
    static final List<String> ACTOR_HEADERS = List.of("ce_actorsubject", "ce_actorclientid", "ce_requestid");

    static Map<String, String> attributes(StoredEvent e, ObjectNode opened, String source) {
        Map<String, String> ce = new LinkedHashMap<>();
        ce.put("ce_specversion", "1.0");
        ce.put("ce_id", e.eventId().toString());
        ce.put("ce_source", source);
        ce.put("ce_type", ceType(e, opened));
        ce.put(
                "ce_subject",
                e.streamType().endpoint() + "/"
                        + (e.streamType() == StreamType.Tenant
                                ? e.tenant()
                                : e.streamId().toString()));
        ce.put("ce_time", e.occurredAt().toString());
        ce.put("ce_dataschema", DATA_SCHEMA);
        // Extensions (lower-case alphanumerics, per the CloudEvents naming rule).
        ce.put("ce_tenant", e.tenant());
        ce.put("ce_streamversion", Long.toString(e.version()));
        ce.put("ce_txn", e.txnId().toString());
        ce.put("ce_ledgerevent", e.type().name());
        ce.put("ce_position", Long.toString(e.position()));
        // Who asked, so that a consumer (a SIEM, say) can rebuild the audit history from the topic alone. The
        // client's network address stays in the log only (docs/events.md).
        putIfPresent(ce, "ce_actorsubject", e.actorSubject());
        putIfPresent(ce, "ce_actorclientid", e.actorClientId());
        putIfPresent(ce, "ce_requestid", e.requestId());
        return ce;
    }

    private static void putIfPresent(Map<String, String> ce, String name, String value) {
        if (value != null) {
            ce.put(name, value);
        }
    }

    /** RFC 9967 event URI: "full" events carry the resulting resource, "notice" events only what changed. */
    static String ceType(StoredEvent e, ObjectNode opened) {
        if (e.streamType() == StreamType.Tenant) {
            return ADMIN + e.type().name(); // RFC 9967 covers provisioning only; the admin plane has its own types
        }
        return switch (e.type()) {
            case UserCreated, GroupCreated -> PROV + "create:full";
            case UserReplaced, GroupReplaced -> PROV + "put:full";
            case UserPatched -> activationType(opened).orElse(PROV + "patch:full");
            case GroupPatched -> PROV + "patch:full";
            case GroupMembersAdded, GroupMembersRemoved -> PROV + "patch:notice";
            // RFC 9967 has no erasure event: for a consumer it is a deletion (ce_ledgerevent says UserErased).
            case UserDeleted, GroupDeleted, UserErased -> PROV + "delete";
            default -> throw new IllegalStateException("no CloudEvents type for " + e.type());
        };
    }

    /** A PATCH whose only effect is on `active` is an activation or deactivation (RFC 9967). */
    private static java.util.Optional<String> activationType(ObjectNode opened) {
        JsonNode changed = opened.path("changed");
        if (changed.isArray()
                && changed.size() == 1
                && "active".equals(changed.get(0).asText())) {
            boolean active = opened.path("state").path("active").asBoolean(false);
            return java.util.Optional.of(PROV + (active ? "activate" : "deactivate"));
        }
        return java.util.Optional.empty();
    }

    static byte[] data(StoredEvent e, ObjectNode opened) {
        if (e.streamType() == StreamType.Tenant) {
            return tenantData(e, opened);
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        String location = e.streamType().endpoint() + "/" + e.streamId();
        switch (e.type()) {
            case GroupMembersAdded, GroupMembersRemoved -> {
                data.put("id", e.streamId().toString());
                ArrayNode attrs = data.putArray("attributes");
                attrs.add("members");
                data.set(
                        e.type() == EventType.GroupMembersAdded ? "membersAdded" : "membersRemoved",
                        opened.path("members").deepCopy());
                if (opened.has("reason")) {
                    data.put("reason", opened.get("reason").asText());
                }
            }
            case UserDeleted, GroupDeleted -> data.put("id", e.streamId().toString());
            case UserErased -> data.put("id", e.streamId().toString()).put("erased", true);
            default -> {
                data.putArray("schemas")
                        .add(e.streamType() == StreamType.User ? ScimSchemas.USER_URN : ScimSchemas.GROUP_URN);
                data.put("id", e.streamId().toString());
                JsonNode state = opened.path("state");
                for (Iterator<Map.Entry<String, JsonNode>> it = state.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (f.getKey().equals("schemas")) {
                        f.getValue().forEach(s -> {
                            if (!s.asText().equals(data.get("schemas").get(0).asText())) {
                                ((ArrayNode) data.get("schemas")).add(s.asText());
                            }
                        });
                    } else {
                        data.set(f.getKey(), f.getValue().deepCopy());
                    }
                }
            }
        }
        data.putObject("meta")
                .put("resourceType", e.streamType().name())
                .put("location", location)
                .put("lastModified", e.occurredAt().toString())
                .put("version", ETags.of(e.version()));
        try {
            return JsonSupport.MAPPER.writeValueAsBytes(data);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A registry change: the event's payload as recorded, less the request record and the token hash (a consumer has
     * no use for it), with the tenant's name and the stream version.
     */
    private static byte[] tenantData(StoredEvent e, ObjectNode opened) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("tenant", e.tenant());
        opened.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("request") && !f.getKey().equals("tokenHash")) {
                data.set(f.getKey(), f.getValue().deepCopy());
            }
        });
        data.putObject("meta")
                .put("resourceType", "Tenant")
                .put("location", "/admin/tenants/" + e.tenant())
                .put("lastModified", e.occurredAt().toString())
                .put("version", ETags.of(e.version()));
        try {
            return JsonSupport.MAPPER.writeValueAsBytes(data);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
