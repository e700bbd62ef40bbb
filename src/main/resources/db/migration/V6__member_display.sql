-- The display a client sent with a group member (Okta sends members[].display, often the member's email). A
-- projection column only: the log holds it in the GroupMembersAdded payload, sealed under the member user's data
-- key (docs/events.md), so erasing that user makes it unreadable there, and the erasure removes this row.
-- NULL when the client sent none; readers then show the member's current name.
ALTER TABLE group_membership ADD COLUMN display TEXT;
