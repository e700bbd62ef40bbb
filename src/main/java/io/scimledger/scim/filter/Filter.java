package io.scimledger.scim.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.scimledger.scim.schema.AttributePath;

/**
 * A parsed SCIM filter (RFC 7644 section 3.4.2.2). Produced by {@link FilterParser}; translated to SQL by
 * {@code projection.SqlFilterTranslator} and evaluated in memory by {@link FilterEvaluator}.
 */
public sealed interface Filter
        permits Filter.And, Filter.Or, Filter.Not, Filter.Compare, Filter.Present, Filter.ValuePath {

    record And(Filter left, Filter right) implements Filter {}

    record Or(Filter left, Filter right) implements Filter {}

    record Not(Filter inner) implements Filter {}

    /** {@code path op value}; value is a TextNode, BooleanNode, numeric node or NullNode. */
    record Compare(AttributePath path, CompareOp op, JsonNode value) implements Filter {}

    /** {@code path pr}. */
    record Present(AttributePath path) implements Filter {}

    /**
     * {@code emails[type eq "work"]}: the paths inside {@code inner} name sub-attributes of {@code path}
     * (AttributePath with schemaUrn null, attribute = sub-attribute name, subAttribute null).
     */
    record ValuePath(AttributePath path, Filter inner) implements Filter {}
}
