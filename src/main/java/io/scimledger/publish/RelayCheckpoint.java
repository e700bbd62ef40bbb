package io.scimledger.publish;

/** How far a subscription has published: the last acknowledged event's (transaction id, position). */
record RelayCheckpoint(String txId, long position) {}
