package io.scimledger.projection;

import java.util.UUID;

/** One row of the membership relation as the API shows it; display is the member's current name, if any. */
public record Member(UUID id, String type, String display) {}
