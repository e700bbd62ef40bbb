package io.scimledger.scim.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An attribute definition as RFC 7643 section 7 writes it, for /Schemas and for a tenant's stored extension
 * schemas. The stored form adds our {@code personal} flag, which /Schemas does not advertise.
 */
public final class AttributeJson {

    private AttributeJson() {}

    public static ObjectNode of(AttributeDefinition a, boolean withPersonalFlag) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", a.name())
                .put("type", a.type().scimName())
                .put("multiValued", a.multiValued())
                .put("description", a.description())
                .put("required", a.required())
                .put("caseExact", a.caseExact())
                .put("mutability", a.mutability().scimName())
                .put("returned", a.returned().scimName())
                .put("uniqueness", a.uniqueness().scimName());
        if (withPersonalFlag) {
            o.put("personal", a.personal());
        }
        if (!a.canonicalValues().isEmpty()) {
            ArrayNode cv = o.putArray("canonicalValues");
            a.canonicalValues().forEach(cv::add);
        }
        if (!a.referenceTypes().isEmpty()) {
            ArrayNode rt = o.putArray("referenceTypes");
            a.referenceTypes().forEach(rt::add);
        }
        if (a.isComplex()) {
            ArrayNode subs = o.putArray("subAttributes");
            a.subAttributes().forEach(sub -> subs.add(of(sub, withPersonalFlag)));
        }
        return o;
    }
}
