-- deploy/compose.yaml only: the two roles and the database SCIM Ledger expects (README "Running in production").
-- Local passwords; a real database gets its own.
CREATE ROLE scim_owner LOGIN PASSWORD 'scim_owner';
CREATE ROLE scim_app LOGIN PASSWORD 'scim_app';
CREATE DATABASE scimledger OWNER scim_owner;
