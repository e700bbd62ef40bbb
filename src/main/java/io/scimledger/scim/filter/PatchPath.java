package io.scimledger.scim.filter;

import io.scimledger.scim.schema.AttributePath;

/**
 * A PATCH operation path (RFC 7644 section 3.5.2): {@code attrPath / valuePath [subAttr]}.
 *
 * @param attribute    the attribute, e.g. {@code emails}, {@code name.givenName} or
 *                     {@code urn:...:enterprise:2.0:User:manager}; when the path is a bare schema URN
 *                     (e.g. the enterprise extension URN), attribute() is null and schemaUrn() holds the URN
 * @param valueFilter  the filter inside the brackets, or null; its paths name sub-attributes
 * @param subAttribute the sub-attribute after the brackets ({@code emails[type eq "work"].value}), or null
 */
public record PatchPath(AttributePath attribute, Filter valueFilter, String subAttribute) {}
