package io.scimledger.scim.schema;

import java.util.List;
import java.util.Optional;

/**
 * One attribute of a SCIM schema (RFC 7643 section 7). The same definition is served at /Schemas and drives
 * validation, filtering and PATCH, so what we advertise is what we enforce.
 *
 * @param personal true where the attribute holds personal data: its values are encrypted with the user's data
 *                 key in the event log so that destroying that key erases the person (see docs/decisions).
 */
public record AttributeDefinition(
        String name,
        AttributeType type,
        boolean multiValued,
        boolean required,
        boolean caseExact,
        Mutability mutability,
        Returned returned,
        Uniqueness uniqueness,
        List<String> canonicalValues,
        List<String> referenceTypes,
        boolean personal,
        List<AttributeDefinition> subAttributes,
        String description) {

    public Optional<AttributeDefinition> subAttribute(String subName) {
        for (AttributeDefinition sub : subAttributes) {
            if (sub.name.equalsIgnoreCase(subName)) {
                return Optional.of(sub);
            }
        }
        return Optional.empty();
    }

    public boolean isComplex() {
        return type == AttributeType.COMPLEX;
    }

    public static Builder builder(String name, AttributeType type) {
        return new Builder(name, type);
    }

    /** Defaults follow RFC 7643 section 2.2: optional, single-valued, readWrite, returned by default, caseExact false. */
    public static final class Builder {
        private final String name;
        private final AttributeType type;
        private boolean multiValued;
        private boolean required;
        private boolean caseExact;
        private Mutability mutability = Mutability.READ_WRITE;
        private Returned returned = Returned.DEFAULT;
        private Uniqueness uniqueness = Uniqueness.NONE;
        private List<String> canonicalValues = List.of();
        private List<String> referenceTypes = List.of();
        private boolean personal;
        private List<AttributeDefinition> subAttributes = List.of();
        private String description = "";

        private Builder(String name, AttributeType type) {
            this.name = name;
            this.type = type;
        }

        public Builder multiValued() {
            this.multiValued = true;
            return this;
        }

        public Builder required() {
            this.required = true;
            return this;
        }

        public Builder caseExact() {
            this.caseExact = true;
            return this;
        }

        public Builder mutability(Mutability m) {
            this.mutability = m;
            return this;
        }

        public Builder readOnly() {
            return mutability(Mutability.READ_ONLY);
        }

        public Builder returned(Returned r) {
            this.returned = r;
            return this;
        }

        public Builder uniqueness(Uniqueness u) {
            this.uniqueness = u;
            return this;
        }

        public Builder canonicalValues(String... values) {
            this.canonicalValues = List.of(values);
            return this;
        }

        public Builder referenceTypes(String... types) {
            this.referenceTypes = List.of(types);
            return this;
        }

        public Builder personal() {
            this.personal = true;
            return this;
        }

        public Builder subAttributes(AttributeDefinition... subs) {
            this.subAttributes = List.of(subs);
            return this;
        }

        public Builder description(String d) {
            this.description = d;
            return this;
        }

        public AttributeDefinition build() {
            return new AttributeDefinition(
                    name,
                    type,
                    multiValued,
                    required,
                    caseExact,
                    mutability,
                    returned,
                    uniqueness,
                    canonicalValues,
                    referenceTypes,
                    personal,
                    subAttributes,
                    description);
        }
    }
}
