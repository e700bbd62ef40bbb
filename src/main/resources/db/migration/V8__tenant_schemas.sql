-- Custom schema extensions per tenant (docs/tenants.md, "Custom schema extensions"): the tenant's registered
-- extension schemas in RFC 7643 section 7 form, as the last TenantSchemaRegistered/Changed/Removed event left them.
-- Values of extension attributes live in the resources' own documents (scim_user.doc, scim_group.doc), never here.
ALTER TABLE tenant ADD COLUMN schemas JSONB NOT NULL DEFAULT '[]'::jsonb;
