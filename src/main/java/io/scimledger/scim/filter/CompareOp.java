package io.scimledger.scim.filter;

/** RFC 7644 section 3.4.2.2 comparison operators ({@code pr} is {@link Filter.Present}). */
public enum CompareOp {
    EQ,
    NE,
    CO,
    SW,
    EW,
    GT,
    GE,
    LT,
    LE
}
